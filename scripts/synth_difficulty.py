"""How easy is synthetic fingerspelling to spot? Frame-level ROC AUC of simple cues on a twin.

Makes a synthetic twin of the first N recordings of an annotation CSV (real span frames) and
scores each frame with three cues, smoothed over 9 frames: the wrist near its shoulder, the
wrists still, the handshape changing while the wrist is still; then all three combined in a
small gradient-boosted model trained on the first two thirds and tested on the rest.
A cue near 1.0 alone would be a shortcut a detector could learn instead of fingerspelling.

Usage: python scripts/synth_difficulty.py ../shared/data/fs-annotations/train.csv [--rows 150]
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from asl_stem.corpus.annotations import read_annotations
from asl_stem.layout import LEFT_HAND, RIGHT_HAND, pose_index
from asl_stem.synth import synthesize_timed

CUES = ("wrist near its shoulder", "wrists still", "handshape changing, wrist still")


def smooth(values: np.ndarray, fill: float) -> np.ndarray:
    """Missing values filled, then a 9-frame moving average."""
    return np.convolve(np.nan_to_num(values, nan=fill), np.ones(9) / 9, mode="same")


def cues(keypoints: np.ndarray, scale: float) -> np.ndarray:
    """(T, 3) cue scores for one recording, larger = more like fingerspelling."""
    speeds, changes, distances = [], [], []
    for hand, shoulder in ((RIGHT_HAND, "right_shoulder"), (LEFT_HAND, "left_shoulder")):
        points = keypoints[:, hand, :2]
        wrist = points[:, 0]
        speed = np.r_[0.0, np.linalg.norm(np.diff(wrist, axis=0), axis=1)] / scale
        shape = (points - wrist[:, None]) / scale
        change = np.r_[0.0, np.linalg.norm(np.diff(shape, axis=0), axis=2).mean(axis=1)]
        speed, change = smooth(speed, 0.1), smooth(change, 0.0)
        speeds.append(speed)
        changes.append(change / (speed + 0.02))
        gap = np.linalg.norm(wrist - keypoints[:, pose_index(shoulder), :2], axis=1) / scale
        distances.append(np.nan_to_num(gap, nan=5.0))
    return np.stack([-np.minimum(*distances), -np.minimum(*speeds), np.maximum(*changes)], axis=1)


def main() -> None:
    """Build the twin, score the cues, print the AUCs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("--rows", type=int, default=150)
    args = parser.parse_args()
    rows, _problems = read_annotations(args.csv)
    features, labels = [], []
    for number, row in enumerate(rows[: args.rows]):
        spans = [(s.start_frame, s.end_frame, s.text or "") for s in row.spans]
        num_frames = max((end for _, end, _ in spans), default=100) + 40
        signing = synthesize_timed(spans, num_frames, seed=number)
        label = np.zeros(num_frames, dtype=bool)
        for start, end, _ in spans:
            label[start : end + 1] = True
        features.append(cues(signing.keypoints, signing.style.scale))
        labels.append(label)
    x, y = np.concatenate(features), np.concatenate(labels)
    print(f"{len(labels)} recordings, {len(y)} frames, {y.mean():.0%} fingerspelled")
    for index, name in enumerate(CUES):
        print(f"{name:<36} AUC {roc_auc_score(y, x[:, index]):.3f}")
    cut = sum(len(label) for label in labels[: 2 * len(labels) // 3])
    model = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(x[:cut], y[:cut])
    held_out = roc_auc_score(y[cut:], model.predict_proba(x[cut:])[:, 1])
    print(f"{'all three, boosted (held-out rows)':<36} AUC {held_out:.3f}")


if __name__ == "__main__":
    main()
