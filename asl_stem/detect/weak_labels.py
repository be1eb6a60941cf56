"""Which labels training uses: a budget of the annotated recordings, plus weak extra spans.

A label budget (``--data.label_fraction``) keeps a share of the annotated training
recordings, chosen by recording with a stable hash, so the same seed keeps the same ones and a
smaller budget is a subset of a larger one (a learning curve adds labels, never swaps them).
Extra spans (``--data.extra_spans``, e.g. ``asl-stem pseudo-label`` output) label recordings
nobody annotated; they never override an annotation, never reach validation recordings, and
respect the article filters. Extra recordings without a span are kept only up to the share of
span-less recordings among the labelled ones: a confident pseudo-labeller writes mostly
recordings where it found nothing, and when those outnumber the labels, training learns that
nobody ever fingerspells (the label-efficiency benchmark collapsed to AP 0 that way).
"""

from __future__ import annotations

import hashlib
import logging
import math
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


def empty_share(rows: Mapping[str, SampleRow], keys: Collection[str]) -> float:
    """The share of the recordings ``keys`` that have no annotated span."""
    return sum(rows[key].spans == 0 for key in keys) / len(keys) if keys else 0.0


def cap_empty(labels: ExtraLabels, share: float) -> None:
    """Leave out span-less recordings of ``labels`` beyond ``share`` (in [0, 1]) of the kept
    ones.

    With ``n`` recordings that have spans, at most ``share × n / (1 − share)`` without any
    are kept (all when ``share`` is 1), chosen by a stable hash, so the same file keeps the
    same ones.
    """
    empty = [key for key, spans in labels.spans.items() if not spans]
    if share >= 1.0 or not empty:
        return
    allowed = math.floor(share * (len(labels.spans) - len(empty)) / (1.0 - share) + 1e-9)
    for key in sorted(empty, key=lambda key: draw(key, 0))[allowed:]:
        del labels.spans[key]
        labels.skip("no span, beyond the labelled recordings' share of span-less ones")


def load_extra_labels(
    path: str | Path,
    rows: Mapping[str, SampleRow],
    usable: Collection[str],
    annotated: Collection[str],
    max_empty_share: float = 1.0,
) -> ExtraLabels:
    """The extra spans of ``path`` for training.

    ``rows`` is the training shards' sample table by id; ``usable`` the ids training may use
    (article filters applied, validation left out); ``annotated`` the ids whose annotation
    training already uses (an annotation always wins over a weak label); ``max_empty_share``
    the most span-less recordings may make of the kept ones (see :func:`cap_empty`).
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
    cap_empty(labels, max_empty_share)
    if not labels.spans:
        raise ExtraSpansError(
            f"--data.extra_spans {path}: none of its {len(found)} recordings can be trained on "
            f"({labels.skipped}); pseudo-label the training shards' unannotated recordings"
        )
    for reason, count in sorted(labels.skipped.items()):
        log.info("extra spans: %d recordings left out: %s", count, reason)
    return labels
