"""What the detector says about one recording: frame probabilities and the spans decoded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans


@dataclass(frozen=True)
class Detection:
    """One recording's frame probabilities (T,), its decoded spans, and its annotated spans
    (None when the recording is not annotated), with the sample's JSON record (``meta``)."""

    recording_id: str
    fps: float
    probabilities: np.ndarray
    spans: list[FingerspellingSpan]
    truths: list[FingerspellingSpan] | None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def recording_spans(self) -> RecordingSpans:
        """The line of a span file (``asl-stem detect`` output)."""
        return RecordingSpans(
            self.recording_id, len(self.probabilities), tuple(self.spans), self.fps
        )
