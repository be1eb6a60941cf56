"""Prepare a text for interpreting: score its terms and look up how the corpus handled each.

The text is split into sentences; the term scorer rates every candidate word and phrase. In
the sentence view each word is shaded by its score (overlapping candidates: the higher score
wins); the term list holds every term scored at least ``LIST_MIN_SCORE``, or that the corpus's
interpreters fingerspelled, with their counts, dictionary links and the index's term id.
"""

from __future__ import annotations

import re
from typing import Any

from asl_stem.termindex import IndexReader
from asl_stem.termindex.lexicon import lexicon_links
from asl_stem.termindex.text import normalise_term

COUNT_KEYS = (
    "n_spelled", "n_signed", "n_spelled_interpreters", "n_signed_interpreters",
    "n_spelled_annotated", "n_spelled_detected", "n_signed_annotated", "n_signed_detected",
    "n_signs",
)  # fmt: skip
MARK_MIN_SCORE = 0.1
LIST_MIN_SCORE = 0.3
MAX_SENTENCES = 2000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\s])|\n\s*\n|\n")


def split_sentences(text: str) -> list[str]:
    """Sentences of pasted text: split after . ! ? followed by space, and at line breaks."""
    parts = (part.strip() for part in _SENTENCE_END.split(text))
    return [part for part in parts if part][:MAX_SENTENCES]


def segments(sentence: str, marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sentence cut into plain and marked pieces, for a template to render escaped."""
    out, position = [], 0
    for mark in sorted(marks, key=lambda m: m["char_start"]):
        if mark["char_start"] > position:
            out.append({"text": sentence[position : mark["char_start"]], "mark": None})
        out.append({"text": sentence[mark["char_start"] : mark["char_end"]], "mark": mark})
        position = mark["char_end"]
    if position < len(sentence):
        out.append({"text": sentence[position:], "mark": None})
    return out


def _choose_marks(terms: list[Any]) -> list[Any]:
    """Non-overlapping candidates, highest score first."""
    chosen: list[Any] = []
    for term in sorted(terms, key=lambda t: -t.score):
        if term.score < MARK_MIN_SCORE:
            break
        if all(term.char_end <= c.char_start or c.char_end <= term.char_start for c in chosen):
            chosen.append(term)
    return chosen


def prepare_sentences(
    reader: IndexReader, scorer: Any, sentences: list[str], article: str | None = None
) -> dict[str, Any]:
    """Scored sentences (with marks and segments) and the term list, as plain JSON-able dicts."""
    scored = [scorer.score_sentence(text, article=article) for text in sentences]
    return prepare_scored(reader, sentences, scored)


def prepare_scored(
    reader: IndexReader, sentences: list[str], scored: list[list[Any]]
) -> dict[str, Any]:
    """:func:`prepare_sentences` for sentences already scored (the corpus's, at build time)."""
    norms = {normalise_term(t.text) for terms in scored for t in terms}
    known = reader.terms_by_norm(n for n in norms if n)
    best: dict[str, Any] = {}
    out_sentences = []
    for text, terms in zip(sentences, scored, strict=True):
        marks = []
        for term in _choose_marks(terms):
            norm = normalise_term(term.text)
            row = known.get(norm)
            marks.append(
                {
                    "char_start": term.char_start,
                    "char_end": term.char_end,
                    "score": round(float(term.score), 3),
                    "level": min(4, int(term.score * 5)),
                    "norm": norm,
                    "term_id": row["id"] if row else None,
                }
            )
        out_sentences.append({"text": text, "marks": marks, "segments": segments(text, marks)})
        for term in terms:
            norm = normalise_term(term.text)
            row = known.get(norm)
            keep = term.score >= LIST_MIN_SCORE or (row is not None and row["n_spelled"] > 0)
            if norm and keep and (norm not in best or term.score > best[norm].score):
                best[norm] = term
    listed = [_term_entry(term, norm, known.get(norm)) for norm, term in best.items()]
    listed.sort(key=lambda entry: (-entry["score"], entry["norm"]))
    return {"sentences": out_sentences, "terms": listed}


def _term_entry(term: Any, norm: str, row: dict[str, Any] | None) -> dict[str, Any]:
    """One line of the term list: the scorer's view and the corpus's."""
    entry: dict[str, Any] = {
        "text": term.text,
        "norm": norm,
        "score": round(float(term.score), 3),
        "term_id": None,
        "n_spelled": 0,
        "n_signed": 0,
        "n_spelled_interpreters": 0,
        "n_signed_interpreters": 0,
        "n_spelled_annotated": 0,
        "n_spelled_detected": 0,
        "n_signed_annotated": 0,
        "n_signed_detected": 0,
        "n_signs": 0,
        "links": lexicon_links(term.text),
    }
    if row is not None:
        entry.update({key: row[key] for key in COUNT_KEYS})
        entry["term_id"] = row["id"]
    return entry


def attach_details(
    result: dict[str, Any], reader: IndexReader, notes: Any, limit: int = 40
) -> dict[str, Any]:
    """Add interpreters, clips of interpreters who signed the term, and notes to listed terms."""
    listed = result["terms"][:limit]
    handling = reader.handling(e["term_id"] for e in listed if e["term_id"] is not None)
    by_norm = notes.for_terms(e["norm"] for e in listed)
    empty = {"spelled_interpreters": [], "signed_interpreters": [], "signed_clips": [], "signs": []}
    for entry in listed:
        entry.update(handling.get(entry["term_id"], empty))
        entry["notes"] = by_norm.get(entry["norm"], [])
    return result
