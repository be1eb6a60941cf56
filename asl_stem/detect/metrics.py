"""Detection metrics, as functions of spans (inclusive frames).

- AP at a temporal IoU threshold, as Shi et al. (CVPR 2021) define it for fingerspelling
  detection: all predicted spans of the evaluation set are ranked by score; going down the list,
  a prediction is a true positive when its best-overlapping still-unmatched true span of the same
  recording has IoU >= threshold (each true span is matched at most once); AP is the area under
  the precision/recall curve with precision made monotone (the ActivityNet / VOC all-point
  interpolation).
- Mean per-recording frame IoU, as the ASL STEM Wiki baseline reports it: for each recording,
  |predicted frames & true frames| / |predicted frames | true frames|, averaged over recordings.
  Recordings where both sets are empty (0/0) are left out of the mean and counted.
- Frame precision, recall and F1 over all frames of all recordings (micro average).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from asl_stem.corpus.records import FingerspellingSpan, frame_iou


def average_precision(
    predictions: Sequence[FingerspellingSpan],
    truths: Mapping[str, Sequence[FingerspellingSpan]],
    iou_threshold: float,
) -> float:
    """AP at ``iou_threshold`` over a whole evaluation set (see the module docstring).

    Returns 0.0 when there are no true spans (nothing can be recalled).
    """
    total = sum(len(spans) for spans in truths.values())
    if total == 0:
        return 0.0
    ranked = sorted(predictions, key=lambda p: -(p.score or 0.0))  # stable: ties keep order
    matched = {rec: np.zeros(len(spans), dtype=bool) for rec, spans in truths.items()}
    hits = np.zeros(len(ranked))
    for rank, pred in enumerate(ranked):
        spans = truths.get(pred.recording_id, ())
        best, best_iou = -1, iou_threshold
        for index, span in enumerate(spans):
            iou = frame_iou(pred.frames, span.frames)
            if not matched[pred.recording_id][index] and iou >= best_iou:
                best, best_iou = index, iou
        if best >= 0:
            matched[pred.recording_id][best] = True
            hits[rank] = 1
    return _interpolated_ap(hits, total)


def _interpolated_ap(hits: np.ndarray, total: int) -> float:
    """Area under the monotone precision envelope of a ranked list of hits (1) and misses (0)."""
    if len(hits) == 0:
        return 0.0
    tp = np.cumsum(hits)
    precision = tp / np.arange(1, len(hits) + 1)
    recall = tp / total
    precision = np.concatenate([[0.0], precision, [0.0]])
    recall = np.concatenate([[0.0], recall, [recall[-1]]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.flatnonzero(recall[1:] != recall[:-1]) + 1
    return float(np.sum((recall[steps] - recall[steps - 1]) * precision[steps]))


def frame_mask(spans: Iterable[FingerspellingSpan], num_frames: int) -> np.ndarray:
    """(T,) bool with the frames of the inclusive spans set (clipped to the recording)."""
    mask = np.zeros(num_frames, dtype=bool)
    for span in spans:
        mask[max(span.start_frame, 0) : min(span.end_frame + 1, num_frames)] = True
    return mask


def mean_frame_iou(
    predicted: Mapping[str, np.ndarray], true: Mapping[str, np.ndarray]
) -> tuple[float, int]:
    """Mean over recordings of frame IoU; also how many recordings were left out as 0/0.

    Both mappings hold (T,) bool masks per recording id; ``true`` decides which recordings count.
    """
    ious, empty = [], 0
    for rec, truth in true.items():
        pred = predicted[rec]
        union = np.logical_or(pred, truth).sum()
        if union == 0:
            empty += 1
            continue
        ious.append(np.logical_and(pred, truth).sum() / union)
    return (float(np.mean(ious)) if ious else 0.0), empty


def frame_prf(
    predicted: Mapping[str, np.ndarray], true: Mapping[str, np.ndarray]
) -> tuple[float, float, float]:
    """Micro frame precision, recall, F1 over the recordings in ``true`` (0.0 when undefined)."""
    tp = fp = fn = 0
    for rec, truth in true.items():
        pred = predicted[rec]
        tp += int(np.logical_and(pred, truth).sum())
        fp += int(np.logical_and(pred, ~truth).sum())
        fn += int(np.logical_and(~pred, truth).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
