"""Hand-made annotation rows for the terms tests (invented sentences, release CSV format)."""

from __future__ import annotations

import csv
from pathlib import Path

from asl_stem.corpus import AnnotatedRecording, FingerspellingSpan, open_corpus
from asl_stem.corpus.annotations import COLUMNS

# (article, sentence, spelled words in order). Frames are made up from the letters spelled.
SENTENCES = [
    ("Enzyme kinetics", "Michaelis–Menten kinetics describes enzyme rates.", ["Michaelis–Menten"]),
    ("Enzyme kinetics", "The substrate binds the lysozyme quickly.", ["substrate", "lysozyme"]),
    ("Enzyme kinetics", "Lineweaver plots show the inverse rate.", ["Lineweaver"]),
    ("Enzyme kinetics", "It is a simple idea.", []),
    ("Prime numbers", "Euclid proved there are infinitely many primes.", ["Euclid", "primes"]),
    ("Prime numbers", "A Mersenne prime has the form 2-power minus one.", ["Mersenne"]),
    ("Prime numbers", "The sieve of Eratosthenes finds primes.", ["sieve", "Eratosthenes"]),
    ("Prime numbers", "We like this one.", []),
    (
        "Plate tectonics",
        "Subduction pushes lithosphere under the mantle.",
        ["Subduction", "lithosphere"],
    ),
    ("Plate tectonics", "Wegener named the supercontinent Pangaea.", ["Wegener", "Pangaea"]),
    ("Plate tectonics", "The asthenosphere is weak and hot.", ["asthenosphere"]),
    ("Plate tectonics", "It moves very slowly.", []),
]
FRAMES_PER_LETTER = 6
GAP = 10
FRAMES_PER_WORD = 15


def spans_for(sentence: str, spelled: list[str]) -> list[tuple[int, int]]:
    """Spans in sentence order: lengths grow with the letters spelled, pauses with the words
    signed in between (FRAMES_PER_WORD each)."""
    spans, frame, next_word = [], 20, 0
    for text in spelled:
        index = len(sentence[: sentence.index(text)].split())
        frame += GAP + FRAMES_PER_WORD * (index - next_word)
        length = FRAMES_PER_LETTER * sum(c.isalnum() for c in text)
        spans.append((frame, frame + length - 1))
        frame += length
        next_word = index + len(text.split())
    return spans


def rows(interpreters: int = 2) -> list[list[str]]:
    """CSV rows (without header): every sentence recorded by each interpreter."""
    out = []
    for user in range(interpreters):
        for index, (article, sentence, spelled) in enumerate(SENTENCES):
            spans = spans_for(sentence, spelled)
            name = f"{user}{index:04d}-{1000 + index // 4}_0_{index}.mp4"
            out.append(
                [f"u{user}", article, "0", str(index), name, sentence, repr(spans), repr(spelled)]
            )
    return out


def write_csv(path: Path, body: list[list[str]] | None = None) -> Path:
    """Write an annotation CSV with the release's header."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows() if body is None else body)
    return path


def annotated(path: Path) -> list[AnnotatedRecording]:
    """The annotated recordings of an annotation CSV, ingested as every command ingests it."""
    return open_corpus(path).annotated_recordings()


def frames(*pairs: tuple[int, int], source: str = "detected") -> list[FingerspellingSpan]:
    """Spans of one recording from ``(start, end)`` pairs (a detector's, unless ``source``)."""
    return [
        FingerspellingSpan(f"rec:{n}", "rec", start, end, source, score=0.5)
        for n, (start, end) in enumerate(pairs)
    ]
