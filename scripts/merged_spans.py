#!/usr/bin/env python
"""What a detector made of each annotated span: found, merged with its neighbours, or missed.

    python scripts/merged_spans.py --annotations ../shared/data/fs-annotations/train.csv \\
        --detections runs/loao/detections.jsonl

Each annotated span with a text is *found* when a detected span overlaps it at frame IoU >= 0.5
(each detected span paired once, as ``terms evaluate`` pairs them); otherwise *merged* when the
detected span overlapping it most also overlaps another annotated span, *missed* when none
overlaps it, and *partial* otherwise. For consecutive annotated spans that one detected span
runs together (at least one of them merged) it also prints the pause between them (frames) and
how many are adjacent words of the sentence: what the aligner's split of a detected span into
two adjacent words can recover.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from itertools import pairwise

import numpy as np

from asl_stem.corpus.records import FingerspellingSpan, frame_iou
from asl_stem.terms.jobs import annotated, detected_spans
from asl_stem.terms.labels import occurrences
from asl_stem.terms.rightword import overlapping


def _overlaps(a: FingerspellingSpan, b: FingerspellingSpan) -> bool:
    return frame_iou(a.frames, b.frames) > 0


def _kind(truth: FingerspellingSpan, truths: list, detected: tuple, found: bool) -> str:
    """found, merged (the detected span over it covers another annotated one too), partial
    or missed."""
    if found:
        return "found"
    over = [d for d in detected if _overlaps(d, truth)]
    if not over:
        return "missed"
    best = max(over, key=lambda d: frame_iou(truth.frames, d.frames))
    others = [t for t in truths if t is not truth and _overlaps(t, best)]
    return "merged" if others else "partial"


def _adjacent(sentence: str, first: str, second: str) -> bool:
    """Whether ``second`` starts one space after an occurrence of ``first``."""
    ends = {end for _, end in occurrences(sentence, first)}
    return any(start - 1 in ends for start, _ in occurrences(sentence, second))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", required=True)
    parser.add_argument("--detections", required=True)
    args = parser.parse_args()
    rows = annotated([args.annotations])
    detections = detected_spans(args.detections, rows)
    kinds: Counter[str] = Counter()
    pauses, adjacent = [], 0
    runs: Counter[int] = Counter()  # detected spans by how many annotated spans they overlap
    for row in rows:
        if row.recording_id not in detections:
            continue
        detected = detections[row.recording_id]
        truths = sorted((s for s in row.spans if s.text), key=lambda s: s.start_frame)
        found = [span is not None for _, span in overlapping(truths, detected)]
        labels = [_kind(t, truths, detected, hit) for t, hit in zip(truths, found, strict=True)]
        kinds.update(labels)
        for span in detected:
            covered = sum(_overlaps(span, t) for t in truths)
            if covered >= 2:
                runs[covered] += 1
        for i, (a, b) in enumerate(pairwise(truths)):
            both = any(_overlaps(d, a) and _overlaps(d, b) for d in detected)
            if both and "merged" in (labels[i], labels[i + 1]):
                pauses.append(b.start_frame - a.end_frame - 1)
                adjacent += _adjacent(row.sentence, a.text or "", b.text or "")
    total = sum(kinds.values())
    report = {
        "annotated_spans": total,
        **{kind: kinds[kind] for kind in ("found", "merged", "partial", "missed")},
        "merged_share": kinds["merged"] / max(1, total),
        "detected_spans_over_n_annotated": dict(sorted(runs.items())),
        "merged_consecutive_pairs": len(pauses),
        "pairs_adjacent_in_sentence": adjacent,
        "pause_frames_quantiles": {q: float(np.quantile(pauses, q)) for q in (0.5, 0.9, 1.0)}
        if pauses
        else {},
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
