"""Terms of each sentence, and how each recording of it handled them, written as they are found.

A term is a candidate word or phrase of a sentence that the term scorer rates at least
``min_score``, or any string a counted span spells. For each term and each recording of a
sentence holding it whose spans are known (annotated, or processed by a detector), the
recording *spelled* it when one of its counted spans spells it (the span's text has the term's
normal form), *signed* it when no spelled word overlaps it, and neither when only part of it
was spelled ("Lowry" of "Brønsted–Lowry"). Rows go to SQLite one sentence at a time, so memory
does not grow with the corpus; the per-term counts are summed in SQL at the end.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from asl_stem.corpus import FingerspellingSpan
from asl_stem.termindex.spanrows import DetectionThresholds
from asl_stem.termindex.text import find_term, normalise_term
from asl_stem.terms import TermScorer, align_spans
from asl_stem.terms.evidence import blend
from asl_stem.terms.scorer import ranked_terms

SIGNED_WINDOW_S = 1.5
TERM_CACHE = 50_000


@dataclass
class TermIds:
    """Term ids by normal form, created on first sight; a bounded cache in front of SQLite."""

    connection: sqlite3.Connection
    cache: OrderedDict[str, int] = field(default_factory=OrderedDict)

    def __call__(self, norm: str) -> int:
        found = self.cache.get(norm)
        if found is None:
            self.connection.execute("INSERT OR IGNORE INTO terms (norm) VALUES (?)", (norm,))
            found = self.connection.execute(
                "SELECT id FROM terms WHERE norm = ?", (norm,)
            ).fetchone()[0]
            self.cache[norm] = found
            if len(self.cache) > TERM_CACHE:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(norm)
        return found


@dataclass
class SentenceIndexer:
    """Writes one sentence's occurrences, clips and span updates."""

    connection: sqlite3.Connection
    scorer: TermScorer
    min_score: float
    thresholds: DetectionThresholds
    term_id: TermIds
    unmatched: int = 0
    aligned: int = 0

    def index(self, sentence: dict[str, Any], title: str | None) -> None:
        text = sentence["text"]
        found_candidates, scores = self.scorer.score_candidates(text, article=title)
        terms = ranked_terms(found_candidates, scores)
        found: dict[str, tuple[int, int]] = {}
        for term in terms:
            norm = normalise_term(term.text)
            if norm and term.score >= self.min_score and norm not in found:
                found[norm] = (term.char_start, term.char_end)
                self._occurrence(norm, sentence, term.char_start, term.char_end, term.score)
        known = self._recordings(sentence["id"])
        counted: dict[str, list[dict[str, Any]]] = {}
        for recording in known:
            spans = self._spans(recording, text, found_candidates, scores)
            counted[recording["id"]] = [s for s in spans if s["counted"]]
        self._candidates(sentence["num"], found_candidates, scores, counted.values())
        for recording in known:
            self._find_spelled(found, sentence, counted[recording["id"]])
        for recording in known:
            self._clips(found, text, recording, counted[recording["id"]])

    def _candidates(
        self,
        num: int,
        found: list[Any],
        scores: Any,
        recordings: Iterable[list[dict[str, Any]]],
    ) -> None:
        """The sentence's candidates for its page, best first: the scorer's likelihoods blended
        with what the sentence's known recordings spelled (:mod:`asl_stem.terms.evidence`). A
        recording spelled a candidate when one of its counted spans has the candidate's normal
        form, as the index counts spelled terms."""
        spelled = [{normalise_term(span["text"]) for span in spans} for spans in recordings]
        norms = [normalise_term(candidate.text) for candidate in found]
        strength = self.scorer.evidence_strength
        blended = [
            blend(float(score), (sum(norm in texts for texts in spelled), len(spelled)), strength)
            for norm, score in zip(norms, scores, strict=True)
        ]
        scored = [
            [t.char_start, t.char_end, round(t.score, 4)] for t in ranked_terms(found, blended)
        ]
        self.connection.execute("INSERT INTO candidates VALUES (?, ?)", (num, json.dumps(scored)))

    def _recordings(self, sentence_id: str) -> list[dict[str, Any]]:
        return [
            dict(zip(("id", "interpreter", "fps", "num_frames", "annotated"), row, strict=True))
            for row in self.connection.execute(
                "SELECT id, interpreter, fps, num_frames, annotated FROM recordings "
                "WHERE sentence_id = ? AND (annotated = 1 OR detected = 1) ORDER BY id",
                (sentence_id,),
            )
        ]

    def _spans(
        self, recording: dict[str, Any], text: str, candidates: list[Any], scores: Any
    ) -> list[dict[str, Any]]:
        """The recording's spans, untexted detections named by the aligner, ``counted`` set."""
        names = ("id", "start_frame", "end_frame", "source", "score", "text", "char_start")
        rows = [
            dict(zip(names, row, strict=True))
            for row in self.connection.execute(
                f"SELECT {', '.join(names)} FROM spans WHERE recording_id = ? "
                "ORDER BY start_frame, end_frame",
                (recording["id"],),
            )
        ]
        annotated = bool(recording["annotated"])
        untexted = [r for r in rows if not r["text"] and r["source"] != "annotated"]
        if untexted:
            rows += self._align(recording["id"], untexted, candidates, scores)
            rows.sort(key=lambda row: (row["start_frame"], row["end_frame"]))
        for row in rows:
            # the words of a split detection are judged by the detection's own frames
            judged = row | row.get("detection", {})
            row["counted"] = bool(row["text"]) and self.thresholds.counts(judged, annotated)
            term = self.term_id(normalise_term(row["text"])) if row["counted"] else None
            if row["counted"] or row["text"]:
                self.connection.execute(
                    "UPDATE spans SET counted = ?, term_id = ? WHERE id = ?",
                    (int(row["counted"]), term, row["id"]),
                )
        return rows

    def _align(
        self, recording_id: str, rows: list[dict[str, Any]], candidates: list[Any], scores: Any
    ) -> list[dict[str, Any]]:
        """Name the untexted detections ``rows`` (updated in place and in the table); a detection
        that the aligner split into two words keeps the first and gives the second a new row,
        returned."""
        spans = [
            FingerspellingSpan(
                f"{recording_id}:{r['id']}", recording_id, r["start_frame"], r["end_frame"],
                "detected", score=r["score"],
            )
            for r in rows
        ]  # fmt: skip
        by_id = {span.id: row for span, row in zip(spans, rows, strict=True)}
        named, added = set(), []
        for span in align_spans(spans, candidates, scores, self.scorer.aligner):
            if span.text is None:
                continue
            # a split detection's words have ids "<span id>.1" and ".2": the first keeps the row
            origin = span.id if span.id in by_id else span.id.rsplit(".", 1)[0]
            row = by_id[origin]
            if origin in named:
                row = self._second_word(row, span)
                added.append(row)
            named.add(origin)
            row.setdefault("detection", {k: row[k] for k in ("start_frame", "end_frame")})
            row |= {"text": span.text, "char_start": span.char_start}
            row |= {"start_frame": span.start_frame, "end_frame": span.end_frame}
            self.connection.execute(
                "UPDATE spans SET text = ?, text_source = 'aligned', char_start = ?, char_end = ?, "
                "start_frame = ?, end_frame = ? WHERE id = ?",
                (span.text, span.char_start, span.char_end, *span.frames, row["id"]),
            )
            self.aligned += 1
        return added

    def _second_word(self, first: dict[str, Any], span: FingerspellingSpan) -> dict[str, Any]:
        """A new row for the second word of a split detection, copied from the first's."""
        cursor = self.connection.execute(
            "INSERT INTO spans (recording_id, start_frame, end_frame, source, score, origin) "
            "SELECT recording_id, ?, ?, source, score, origin FROM spans WHERE id = ?",
            (span.start_frame, span.end_frame, first["id"]),
        )
        return {**first, "id": cursor.lastrowid}

    def _find_spelled(
        self, found: dict[str, tuple[int, int]], sentence: dict[str, Any], spans: list[dict]
    ) -> None:
        """Place each counted span's text in the sentence, adding terms the scorer missed."""
        for span in spans:
            norm = normalise_term(span["text"])
            self._display(norm, span["text"], 0)  # the display if never found in a sentence
            if norm in found:
                continue
            where = find_term(sentence["text"], span["text"])
            if where is None:
                self.unmatched += 1
            else:
                found[norm] = where
                self._occurrence(norm, sentence, *where, None)

    def _clips(
        self,
        found: dict[str, tuple[int, int]],
        text: str,
        recording: dict[str, Any],
        spans: list[dict[str, Any]],
    ) -> None:
        """Spelled clips for the counted spans; signed clips for terms no spelled word overlaps."""
        basis = "annotated" if recording["annotated"] else "detected"
        rid, who = recording["id"], recording["interpreter"]
        rows, spelled_ranges = [], []
        for span in spans:
            norm = normalise_term(span["text"])
            score = span["score"] if span["source"] != "annotated" else None
            frames = (span["start_frame"], span["end_frame"])
            rows.append((self.term_id(norm), rid, who, "spelled", *frames, 0, basis, score))
            if norm in found:
                spelled_ranges.append(found[norm])
        for norm, (start, end) in found.items():
            if not any(start < s_end and s_start < end for s_start, s_end in spelled_ranges):
                window = signed_window(recording, text, start, end)
                rows.append((self.term_id(norm), rid, who, "signed", *window, 1, basis, None))
        self.connection.executemany("INSERT INTO clips VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _occurrence(
        self, norm: str, sentence: dict[str, Any], start: int, end: int, score: float | None
    ) -> None:
        term_id = self.term_id(norm)
        self._display(norm, sentence["text"][start:end], 1)
        self.connection.execute(
            "INSERT INTO occurrences VALUES (?, ?, ?, ?, ?, ?, ?)",
            (term_id, sentence["id"], sentence["num"], sentence["article_id"], start, end, score),
        )

    def _display(self, norm: str, display: str, n: int) -> None:
        self.connection.execute(
            "INSERT INTO term_displays VALUES (?, ?, ?) "
            "ON CONFLICT (term_id, display) DO UPDATE SET n = n + excluded.n",
            (self.term_id(norm), display, n),
        )


def signed_window(
    recording: dict[str, Any], sentence: str, char_start: int, char_end: int
) -> tuple[int | None, int | None]:
    """Frames where a signed term probably is: its place in the sentence mapped onto the video.

    Signing follows English order only loosely, so the window is wide (``SIGNED_WINDOW_S`` on
    each side); ``(None, None)`` (the whole recording) when the frame count is unknown.
    """
    num_frames = recording["num_frames"]
    if not num_frames or not sentence:
        return None, None
    fps = recording["fps"] or 30.0
    centre = (char_start + char_end) / 2 / len(sentence) * num_frames
    half = SIGNED_WINDOW_S * fps
    return max(0, int(centre - half)), min(num_frames - 1, int(centre + half))


TOTALS = """
UPDATE terms SET
  display = COALESCE((SELECT display FROM term_displays d WHERE d.term_id = terms.id
                      ORDER BY n DESC, display LIMIT 1), norm),
  score = (SELECT AVG(score) FROM occurrences o WHERE o.term_id = terms.id),
  n_occurrences = (SELECT COUNT(*) FROM occurrences o WHERE o.term_id = terms.id);
CREATE TEMP TABLE clip_counts AS
  SELECT term_id,
    COUNT(DISTINCT CASE WHEN how = 'spelled' THEN recording_id END) AS n_spelled,
    COUNT(DISTINCT CASE WHEN how = 'signed' THEN recording_id END) AS n_signed,
    COUNT(DISTINCT CASE WHEN how = 'spelled' THEN interpreter END) AS n_spelled_interpreters,
    COUNT(DISTINCT CASE WHEN how = 'signed' THEN interpreter END) AS n_signed_interpreters,
    COUNT(DISTINCT CASE WHEN how = 'spelled' AND basis = 'annotated' THEN recording_id END) AS sa,
    COUNT(DISTINCT CASE WHEN how = 'spelled' AND basis = 'detected' THEN recording_id END) AS sd,
    COUNT(DISTINCT CASE WHEN how = 'signed' AND basis = 'annotated' THEN recording_id END) AS ga,
    COUNT(DISTINCT CASE WHEN how = 'signed' AND basis = 'detected' THEN recording_id END) AS gd
  FROM clips GROUP BY term_id;
UPDATE terms SET
  n_spelled = c.n_spelled, n_signed = c.n_signed,
  n_spelled_interpreters = c.n_spelled_interpreters,
  n_signed_interpreters = c.n_signed_interpreters,
  n_spelled_annotated = c.sa, n_spelled_detected = c.sd,
  n_signed_annotated = c.ga, n_signed_detected = c.gd
FROM clip_counts c WHERE c.term_id = terms.id;
DROP TABLE clip_counts;
INSERT INTO term_interpreters
  SELECT term_id, how, interpreter, MIN(basis), COUNT(DISTINCT recording_id) FROM clips
  GROUP BY term_id, how, interpreter;
"""


def write_totals(connection: sqlite3.Connection) -> int:
    """Sum each term's counts from its rows; return how many terms the index holds."""
    connection.executescript(TOTALS)
    return connection.execute("SELECT COUNT(*) FROM terms").fetchone()[0]
