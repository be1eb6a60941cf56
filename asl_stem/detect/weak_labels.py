"""Which labels training uses: a budget of the annotated recordings, plus weak extra spans.

A label budget (``--data.label_fraction``) keeps a share of the annotated training
recordings, chosen by recording with a stable hash, so the same seed keeps the same ones and a
smaller budget is a subset of a larger one (a learning curve adds labels, never swaps them).
Extra spans (``--data.extra_spans``, e.g. ``asl-stem pseudo-label`` output) label recordings
nobody annotated; they never override an annotation, never reach validation recordings, and
respect the article filters.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from asl_stem.corpus.spanfile import read_span_file
from asl_stem.shards.catalog import SampleRow

log = logging.getLogger(__name__)


class ExtraSpansError(ValueError):
    """An extra span file that cannot be used for training."""


def draw(key: str, seed: int) -> float:
    """A stable number in [0, 1) for a recording id and a seed (same on every machine)."""
    digest = hashlib.sha256(f"labels:{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def label_subset(keys: Collection[str], fraction: float, seed: int) -> list[str]:
    """``round(fraction × len(keys))`` of ``keys`` (at least one), ranked by :func:`draw`.

    Returned in the order of ``keys``. Nested: for one seed, the recordings kept at a smaller
    fraction are kept at every larger one.
    """
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"--data.label_fraction must be in (0, 1], got {fraction}")
    if fraction == 1.0 or not keys:
        return list(keys)
    count = max(1, round(fraction * len(keys)))
    kept = set(sorted(keys, key=lambda key: draw(key, seed))[:count])
    return [key for key in keys if key in kept]


@dataclass
class ExtraLabels:
    """Spans per extra recording (``{"start_frame", "end_frame"}`` dicts), and what was left
    out with the reason."""

    spans: dict[str, list[dict[str, int]]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def load_extra_labels(
    path: str | Path,
    rows: Mapping[str, SampleRow],
    usable: Collection[str],
    annotated: Collection[str],
) -> ExtraLabels:
    """The extra spans of ``path`` for training.

    ``rows`` is the training shards' sample table by id; ``usable`` the ids training may use
    (article filters applied, validation left out); ``annotated`` the ids whose annotation
    training already uses (an annotation always wins over a weak label).
    """
    if not Path(path).is_file():
        raise ExtraSpansError(f"--data.extra_spans {path}: no such span file")
    found, problems = read_span_file(path)
    for problem in problems:
        log.warning("%s", problem)
    labels = ExtraLabels()
    for key, item in found.items():
        row = rows.get(key)
        if row is None:
            labels.skip("not in the training shards")
        elif key in annotated:
            labels.skip("annotated (the annotation is used)")
        elif key not in usable:
            labels.skip("validation recording or filtered article")
        elif item.num_frames != row.frames:
            raise ExtraSpansError(
                f"{path}: recording {key} has {item.num_frames} frames there but {row.frames} "
                "in the shards: the spans were made from other shards"
            )
        else:
            labels.spans[key] = [
                {"start_frame": s.start_frame, "end_frame": s.end_frame} for s in item.spans
            ]
    if not labels.spans:
        raise ExtraSpansError(
            f"--data.extra_spans {path}: none of its {len(found)} recordings can be trained on "
            f"({labels.skipped}); pseudo-label the training shards' unannotated recordings"
        )
    for reason, count in sorted(labels.skipped.items()):
        log.info("extra spans: %d recordings left out: %s", count, reason)
    return labels
