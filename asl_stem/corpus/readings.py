"""Letter files: span files whose spans a recognizer read, with the n best readings of each.

``asl-stem recognize`` writes one; ``asl-stem terms align --letters`` reads it. A line is a
span file line (:mod:`asl_stem.corpus.spanfile`) whose spans carry the best reading as
``text`` (``text_source="read"``, its probability as ``text_score``), plus one key:

    "readings": {"<span id>": [{"text": "acid", "score": 0.81}, {"text": "acd", ...}, ...]}

the n best letter strings of each span, best first, ``score`` being each one's probability
among the n best (they sum to 1). Tools that read span files ignore the key.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from asl_stem.atomic import read_jsonl, write_jsonl
from asl_stem.corpus.spanfile import RecordingSpans
from asl_stem.problems import Problem

READINGS_KEY = "readings"


@dataclass(frozen=True)
class Reading:
    """The n best letter strings read from one span, with their probabilities, best first."""

    alternatives: tuple[tuple[str, float], ...]

    def __post_init__(self) -> None:
        if not self.alternatives:
            raise ValueError("a reading needs at least one letter string")

    @property
    def best(self) -> str:
        return self.alternatives[0][0]

    @property
    def score(self) -> float:
        return self.alternatives[0][1]

    def to_list(self) -> list[dict[str, float | str]]:
        return [{"text": text, "score": round(score, 6)} for text, score in self.alternatives]

    @classmethod
    def from_list(cls, items: list[dict[str, float | str]]) -> Reading:
        return cls(tuple((str(item["text"]), float(item["score"])) for item in items))


def write_letter_file(
    path: str | os.PathLike[str], items: Iterable[tuple[RecordingSpans, dict[str, Reading]]]
) -> int:
    """One line per recording: its spans and the readings of each, by span id; atomically."""

    def lines() -> Iterator[dict]:
        for spans, readings in items:
            line = spans.to_dict()
            line[READINGS_KEY] = {key: reading.to_list() for key, reading in readings.items()}
            yield line

    return write_jsonl(path, lines())


def read_letter_file(
    path: str | os.PathLike[str],
) -> tuple[dict[str, RecordingSpans], dict[str, Reading], list[Problem]]:
    """Spans by recording id, readings by span id, and the lines left out (with why)."""
    found: dict[str, RecordingSpans] = {}
    readings: dict[str, Reading] = {}
    problems: list[Problem] = []
    for number, data in enumerate(read_jsonl(path), start=1):
        try:
            item = RecordingSpans.from_dict(data)
            own = {
                key: Reading.from_list(value) for key, value in data.get(READINGS_KEY, {}).items()
            }
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            reason = f"not a letters line ({error}); it was left out"
            problems.append(Problem(str(path), number, reason, "bad_letters_line"))
            continue
        if item.recording_id in found:
            reason = f"recording {item.recording_id} has a second line; the first was kept"
            problems.append(Problem(str(path), number, reason, "duplicate_recording", "warning"))
            continue
        found[item.recording_id] = item
        readings.update(own)
    return found, readings, problems
