"""The heuristic's window, scales and decoding, fitted on training recordings only.

The model learns its weights on the training articles and keeps the epoch that scores best on
a validation split of them (``val/ap@0.5``); the heuristic's few numbers are fitted the same
way, on the training articles of a fold, by coordinate ascent over a small grid with AP@0.5 as
the criterion. The held-out article is only scored with the result. The windowed parts of the
score are computed once per window (:class:`HeuristicInputs`), so trying a scale or a decoding
costs no pass over the keypoints.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans
from asl_stem.detect.baseline import (
    DEFAULT_SETTINGS,
    HandParts,
    HeuristicSettings,
    combine,
    hand_parts,
)
from asl_stem.detect.binarize import binarize
from asl_stem.detect.metrics import average_precision
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.sample import sample_spans

log = logging.getLogger(__name__)

# Values tried for each knob (frames at ~30 fps). The hand-set ones are among them.
GRID: dict[str, tuple[Any, ...]] = {
    "window": (5, 9, 15, 25),
    "angle_scale": (0.005, 0.01, 0.02, 0.04, 0.08),
    "motion_scale": (0.01, 0.02, 0.03, 0.06, 0.12),
    "onset": (0.3, 0.4, 0.5, 0.6, 0.7),
    "hysteresis": (0.0, 0.15),  # offset = onset - hysteresis
    "median": (1, 5, 9, 15),
    "min_duration_on": (4, 6, 10, 16, 24, 32),
    "min_duration_off": (2, 4, 8, 12),
}
CRITERION_IOU = 0.5  # the model's checkpoint is chosen on val/ap@0.5 too


@dataclass(frozen=True)
class HeuristicInputs:
    """Per recording: its frame count, true spans, and the hands' parts for each window."""

    frames: dict[str, int]
    truths: dict[str, list[FingerspellingSpan]]
    parts: dict[int, dict[str, list[HandParts]]]

    @classmethod
    def read(
        cls, shards: str, keys: Iterable[str], windows: Sequence[int] = GRID["window"]
    ) -> HeuristicInputs:
        """One pass over the annotated samples ``keys`` of ``shards``."""
        frames, truths = {}, {}
        parts: dict[int, dict[str, list[HandParts]]] = {w: {} for w in windows}
        for sample in iter_samples(shards, num_points=NUM_BODY_POINTS, keys=set(keys)):
            key = sample["key"]
            frames[key] = len(sample["keypoints"])
            truths[key] = sample_spans(sample) or []
            for window in windows:
                parts[window][key] = hand_parts(sample["keypoints"], sample["is_valid"], window)
        return cls(frames, truths, parts)

    def detections(
        self, keys: Iterable[str], settings: HeuristicSettings
    ) -> dict[str, RecordingSpans]:
        """The heuristic's spans for ``keys`` with ``settings``."""
        decoding = asdict(settings.decoding)
        found = {}
        for key in keys:
            scores = combine(
                self.parts[settings.window][key], settings.angle_scale, settings.motion_scale
            )
            spans = binarize(scores, **decoding, recording_id=key)
            found[key] = RecordingSpans(key, self.frames[key], tuple(spans))
        return found

    def criterion(self, keys: Sequence[str], settings: HeuristicSettings) -> float:
        """AP@0.5 of ``settings`` over ``keys``."""
        found = self.detections(keys, settings)
        predictions = [span for key in keys for span in found[key].spans]
        return average_precision(predictions, {k: self.truths[k] for k in keys}, CRITERION_IOU)


def with_value(settings: HeuristicSettings, name: str, value: Any) -> HeuristicSettings:
    """``settings`` with one knob of :data:`GRID` set (decoding knobs inside ``decoding``)."""
    decoding = settings.decoding
    if name == "hysteresis":
        return replace(settings, decoding=replace(decoding, offset=decoding.onset - value))
    if name == "onset":
        gap = decoding.onset - (decoding.offset if decoding.offset is not None else decoding.onset)
        return replace(settings, decoding=replace(decoding, onset=value, offset=value - gap))
    if name in ("median", "min_duration_on", "min_duration_off"):
        return replace(settings, decoding=replace(decoding, **{name: value}))
    return replace(settings, **{name: value})


def tune(
    inputs: HeuristicInputs,
    keys: Sequence[str],
    start: HeuristicSettings = DEFAULT_SETTINGS,
    rounds: int = 3,
) -> tuple[HeuristicSettings, float]:
    """Coordinate ascent on AP@0.5 over ``keys`` (training recordings only): each knob in turn
    takes its best grid value given the others, until a round changes nothing."""
    best, best_value = start, inputs.criterion(keys, start)
    for round_number in range(rounds):
        changed = False
        for name, values in GRID.items():
            for value in values:
                candidate = with_value(best, name, value)
                if candidate == best:
                    continue
                result = inputs.criterion(keys, candidate)
                if result > best_value + 1e-9:
                    best, best_value, changed = candidate, result, True
        log.info("heuristic tuning round %d: AP@0.5 %.3f with %s", round_number, best_value, best)
        if not changed:
            break
    return best, best_value
