"""Build the term index: every term of the corpus, how interpreters handled it, and clips.

A term is a candidate word or phrase of a sentence that the term scorer rates at least
``min_score``, or any string an interpreter fingerspelled. For each term and each annotated
recording of a sentence holding it, the recording *spelled* it when one of its spans spells it
(the span's text has the term's normal form), *signed* it when no spelled word overlaps it, and
neither when only a part of it was spelled ("Lowry" of "Brønsted–Lowry").
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from asl_stem.atomic import atomic_path
from asl_stem.corpus import Corpus, FingerspellingSpan
from asl_stem.termindex import schema
from asl_stem.termindex.clips import Spans, assign_texts, load_spans, signed_window
from asl_stem.termindex.keypoints import DEFAULT_MAX_FPS
from asl_stem.termindex.lexicon import LexiconEntry, lexicon_links, read_asl_lex
from asl_stem.termindex.store_keypoints import fill_frame_counts, store_keypoints
from asl_stem.termindex.text import find_term, normalise_term
from asl_stem.terms import TermScorer, load_default_scorer

log = logging.getLogger(__name__)

DEFAULT_MIN_SCORE = 0.3


@dataclass
class _Term:
    """What the build learns about one term, keyed by its normal form."""

    displays: Counter[str] = field(default_factory=Counter)
    scores: list[float] = field(default_factory=list)
    occurrences: list[tuple[str, str, int, int, float | None]] = field(default_factory=list)
    clips: list[tuple[str, str, str, int | None, int | None, int]] = field(default_factory=list)


@dataclass
class BuildReport:
    """Counts of a build, written to the index's ``meta`` table and logged."""

    articles: int = 0
    sentences: int = 0
    recordings: int = 0
    annotated_recordings: int = 0
    spans: int = 0
    spans_unmatched: int = 0
    terms: int = 0
    lexicon_entries: int = 0
    recordings_with_keypoints: int = 0
    recordings_without_keypoints: int = 0
    problems: list[str] = field(default_factory=list)


def build_index(
    manifest_dir: str | Path,
    *,
    out: str | Path,
    spans: str | Path | None = None,
    shards_dir: str | Path | None = None,
    keypoints_dir: str | Path | None = None,
    scorer: TermScorer | None = None,
    lexicon_csv: str | Path | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    max_fps: float = DEFAULT_MAX_FPS,
) -> Path:
    """Write the SQLite term index of a corpus to ``out`` atomically and return its path.

    ``spans`` is a detector ``spans.jsonl`` (default: the annotated spans of the manifests).
    Clip keypoints come from ``shards_dir`` (``asl-stem extract`` output), else from
    reference-format ``keypoints_dir/<recording id>.npy`` files, else from a ``keypoints/``
    folder beside the release's ``videos/`` (as the demo corpus has).
    """
    scorer = scorer if scorer is not None else load_default_scorer()
    report = BuildReport()
    corpus = Corpus.from_dir(manifest_dir)
    articles = {article.id: article for article in corpus.articles}
    recordings = fill_frame_counts({r.id: r for r in corpus.recordings}, keypoints_dir)
    sentences = list(corpus.sentences)
    spans_by_recording, annotated = load_spans(corpus, spans, recordings)
    if spans is not None:
        titles = {article.id: article.title for article in articles.values()}
        by_id = {sentence.id: sentence for sentence in sentences}
        assign_texts(spans_by_recording, recordings, by_id, titles, scorer)
    terms = _collect_terms(
        articles, sentences, recordings, spans_by_recording, annotated, scorer, min_score, report
    )
    entries: list[LexiconEntry] = []
    if lexicon_csv is not None:
        entries, problems = read_asl_lex(lexicon_csv)
        report.problems += [str(problem) for problem in problems]
    out = Path(out)
    with atomic_path(out) as tmp:
        connection = sqlite3.connect(tmp)
        try:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("PRAGMA synchronous=OFF")
            schema.create(connection)
            _write_corpus(connection, articles, sentences, recordings, annotated, report)
            term_ids = _write_terms(connection, terms, report)
            _write_spans(connection, spans_by_recording, term_ids, report)
            _write_lexicon(connection, term_ids, entries, Path(lexicon_csv or "."), report)
            store_keypoints(connection, recordings, shards_dir, keypoints_dir, max_fps, report)
            connection.executescript(schema.FTS_REBUILD)
            _write_meta(connection, manifest_dir, spans, report)
            connection.commit()
        finally:
            connection.close()
    log.info(
        "index %s: %d terms, %d sentences, %d recordings (%d annotated), %d with keypoints",
        out,
        report.terms,
        report.sentences,
        report.recordings,
        report.annotated_recordings,
        report.recordings_with_keypoints,
    )
    for problem in report.problems[:20]:
        log.warning("%s", problem)
    return out


def _collect_terms(
    articles: dict[str, Any],
    sentences: list[Any],
    recordings: dict[str, Any],
    spans_by_recording: Spans,
    annotated: set[str],
    scorer: TermScorer,
    min_score: float,
    report: BuildReport,
) -> dict[str, _Term]:
    """Score every sentence, then mark each annotated recording as spelling or signing each term."""
    terms: dict[str, _Term] = defaultdict(_Term)
    for sentence in tqdm(sentences, desc="index: sentences", unit="sentence"):
        article = articles.get(sentence.article_id)
        title = article.title if article is not None else None
        found: dict[str, tuple[int, int]] = {}
        for scored in scorer.score_sentence(sentence.text, article=title):
            norm = normalise_term(scored.text)
            if not norm or scored.score < min_score or norm in found:
                continue
            found[norm] = (scored.char_start, scored.char_end)
            _add_occurrence(terms[norm], sentence, scored.char_start, scored.char_end, scored.score)
        annotated_here = [
            recordings[rid]
            for rid in sentence.recording_ids
            if rid in annotated and rid in recordings
        ]
        for recording in annotated_here:
            _find_spelled(terms, found, sentence, spans_by_recording.get(recording.id, []), report)
        for recording in annotated_here:
            _add_clips(terms, found, sentence, recording, spans_by_recording.get(recording.id, []))
    return terms


def _find_spelled(
    terms: dict[str, _Term],
    found: dict[str, tuple[int, int]],
    sentence: Any,
    spans: list[FingerspellingSpan],
    report: BuildReport,
) -> None:
    """Match each span's text to a place in the sentence, adding the terms the scorer missed."""
    for span in spans:
        norm = normalise_term(span.text or "")
        if not norm:
            continue
        terms[norm].displays.setdefault(span.text or norm, 0)  # the display if never found
        if norm not in found:
            where = find_term(sentence.text, span.text or "")
            if where is None:
                report.spans_unmatched += 1
            else:
                found[norm] = where
                _add_occurrence(terms[norm], sentence, *where, None)


def _add_clips(
    terms: dict[str, _Term],
    found: dict[str, tuple[int, int]],
    sentence: Any,
    recording: Any,
    spans: list[FingerspellingSpan],
) -> None:
    """Spelled clips for the recording's spans; signed clips for terms no spelled word overlaps."""
    spelled_ranges = []
    for span in spans:
        norm = normalise_term(span.text or "")
        if not norm:
            continue
        terms[norm].clips.append(
            (recording.id, recording.interpreter, "spelled", span.start_frame, span.end_frame, 0)
        )
        if norm in found:
            spelled_ranges.append(found[norm])
    for norm, (start, end) in found.items():
        if not any(start < s_end and s_start < end for s_start, s_end in spelled_ranges):
            window = signed_window(recording, sentence.text, start, end)
            terms[norm].clips.append((recording.id, recording.interpreter, "signed", *window, 1))


def _add_occurrence(term: _Term, sentence: Any, start: int, end: int, score: float | None) -> None:
    term.displays[sentence.text[start:end]] += 1
    if score is not None:
        term.scores.append(float(score))
    term.occurrences.append((sentence.id, sentence.article_id, start, end, score))


def _write_corpus(
    connection: sqlite3.Connection,
    articles: dict[str, Any],
    sentences: list[Any],
    recordings: dict[str, Any],
    annotated: set[str],
    report: BuildReport,
) -> None:
    per_article = Counter(sentence.article_id for sentence in sentences)
    connection.executemany(
        "INSERT INTO articles VALUES (?, ?, ?, ?)",
        [(a.id, a.title, a.page_id, per_article[a.id]) for a in articles.values()],
    )
    connection.executemany(
        "INSERT INTO sentences (id, article_id, section_index, sentence_index, text, "
        "is_section_title) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (s.id, s.article_id, s.section_index, s.sentence_index, s.text, int(s.is_section_title))
            for s in sentences
        ],
    )
    connection.executemany(
        "INSERT INTO recordings VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.id,
                r.sentence_id,
                r.article_id,
                r.interpreter,
                r.fps,
                r.num_frames,
                int(r.id in annotated),
            )
            for r in recordings.values()
        ],
    )
    report.articles, report.sentences = len(articles), len(sentences)
    report.recordings, report.annotated_recordings = len(recordings), len(annotated)


def _write_terms(
    connection: sqlite3.Connection, terms: dict[str, _Term], report: BuildReport
) -> dict[str, int]:
    """Insert terms with their counts, occurrences, clips and dictionary links; return ids."""
    ids: dict[str, int] = {}
    for term_id, norm in enumerate(sorted(terms), start=1):
        term = terms[norm]
        ids[norm] = term_id
        display = term.displays.most_common(1)[0][0] if term.displays else norm
        score = sum(term.scores) / len(term.scores) if term.scores else None
        spelled = {c[0]: c[1] for c in term.clips if c[2] == "spelled"}
        signed = {c[0]: c[1] for c in term.clips if c[2] == "signed"}
        connection.execute(
            "INSERT INTO terms VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                term_id,
                norm,
                display,
                score,
                len(term.occurrences),
                len(spelled),
                len(signed),
                len(set(spelled.values())),
                len(set(signed.values())),
            ),
        )
        connection.executemany(
            "INSERT INTO occurrences VALUES (?, ?, ?, ?, ?, ?)",
            [(term_id, *occurrence) for occurrence in term.occurrences],
        )
        connection.executemany(
            "INSERT INTO clips VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(term_id, *clip) for clip in term.clips],
        )
        connection.executemany(
            "INSERT INTO links VALUES (?, ?, ?)",
            [(term_id, link["site"], link["url"]) for link in lexicon_links(display)],
        )
    report.terms = len(ids)
    return ids


def _write_spans(
    connection: sqlite3.Connection,
    spans_by_recording: Spans,
    term_ids: dict[str, int],
    report: BuildReport,
) -> None:
    rows = [
        (
            rid,
            s.start_frame,
            s.end_frame,
            s.text,
            s.score,
            term_ids.get(normalise_term(s.text or "")),
        )
        for rid, spans in spans_by_recording.items()
        for s in spans
    ]
    connection.executemany(
        "INSERT INTO spans (recording_id, start_frame, end_frame, text, score, term_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    report.spans = len(rows)


def _write_lexicon(
    connection: sqlite3.Connection,
    term_ids: dict[str, int],
    entries: Iterable[LexiconEntry],
    source: Path,
    report: BuildReport,
) -> None:
    rows = [
        (term_ids[gloss], source.name, entry.entry_id, gloss, entry.video_url)
        for entry in entries
        for gloss in entry.glosses
        if gloss in term_ids
    ]
    connection.executemany("INSERT INTO lexicon VALUES (?, ?, ?, ?, ?)", rows)
    report.lexicon_entries = len(rows)


def _write_meta(
    connection: sqlite3.Connection,
    manifest_dir: str | Path,
    spans: str | Path | None,
    report: BuildReport,
) -> None:
    counts = {k: v for k, v in vars(report).items() if k != "problems"}
    meta = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "manifest_dir": str(manifest_dir),
        "spans_source": str(spans) if spans else "annotations",
        "counts": json.dumps(counts),
        "problems": json.dumps(report.problems[:1000]),
    }
    connection.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
