"""The release's fingerspelling annotation files (``fs-annotations/*.csv``).

Columns: ``user, articleName, sectionIndex, sentenceIndex, filename, sentence, fs_span,
fs_text``. ``fs_span`` is a Python-literal list of ``(start_frame, end_frame)`` pairs and
``fs_text`` the spelled strings in the same order. They are parsed with ``ast.literal_eval``,
which never runs code. Frames are the video's 0-based frame numbers; a span covers
``start_frame`` up to and including ``end_frame`` as annotated (its length in frames is
``end_frame - start_frame + 1``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl_stem.corpus.csvtable import parse_rows, read_table
from asl_stem.corpus.records import FingerspellingSpan, id_problem
from asl_stem.problems import Problem

COLUMNS = (
    "user",
    "articleName",
    "sectionIndex",
    "sentenceIndex",
    "filename",
    "sentence",
    "fs_span",
    "fs_text",
)
# Sanity bounds: an article has far fewer sections and sentences, a sentence video far fewer
# frames; larger numbers are typing errors that would overflow SQLite's integers downstream.
MAX_INDEX = 100_000
MAX_FRAME = 30 * 3600
MAX_SECONDS = 3600.0
MAX_PAGE_ID = 2**32 - 1  # MediaWiki page ids are unsigned 32-bit integers
ALIASES = {
    "user": ("participant", "interpreter", "signer"),
    "articleName": ("article", "article_name", "title"),
    "sectionIndex": ("section", "section_index"),
    "sentenceIndex": ("sentence_index", "sentenceIdx"),
    "filename": ("video filename", "video", "file", "video_file"),
    "sentence": ("text", "english"),
    "fs_span": ("span", "spans", "fs_spans"),
    "fs_text": ("texts", "fs_texts", "spelled"),
}


@dataclass(frozen=True)
class AnnotationRow:
    """One row of an annotation file: a recording and the fingerspelled spans of this row.

    A recording may have several rows (continuation rows); ingest merges them into one
    annotation (:mod:`asl_stem.corpus.collate`). Later stages never read rows: they read the
    manifests, or ingest a CSV on the fly.
    """

    file: str
    line: int
    user: str
    article: str
    section_index: int
    sentence_index: int
    filename: str
    sentence: str
    spans: tuple[FingerspellingSpan, ...]

    @property
    def recording_id(self) -> str:
        """The recording id: the video filename without its extension."""
        return Path(self.filename).stem


def read_annotations(
    path: str | Path, data: bytes | None = None
) -> tuple[list[AnnotationRow], list[Problem]]:
    """Parse an annotation CSV (or its bytes ``data``, named ``path``); good rows and problems.

    Rows whose columns cannot be read are dropped (an ``error`` problem). Rows with a bad span
    keep their other spans; a span/text length mismatch keeps every span, pairing by position
    (``warning``). Nothing is dropped without a problem naming the file and line.
    """
    return parse_rows(read_table(path, COLUMNS, ALIASES, data), _parse_row)


def _parse_row(
    file: str, line: int, fields: dict[str, str], problems: list[Problem]
) -> AnnotationRow | None:
    """Turn one CSV row into an AnnotationRow, appending what was wrong to ``problems``."""
    key = parse_row_key(file, line, fields, problems)
    if key is None:
        return None
    section, sentence_index, filename = key
    pairs = _literal_list(file, line, "fs_span", fields["fs_span"], problems)
    texts = _literal_list(file, line, "fs_text", fields["fs_text"], problems)
    if pairs is None:
        return None
    spans = _spans(file, line, Path(filename).stem, pairs, texts or [], problems)
    if texts is not None and len(texts) != len(pairs):
        reason = (
            f"fs_span has {len(pairs)} spans but fs_text {len(texts)} strings; "
            "kept every span, pairing texts by position (unpaired spans have no text)"
        )
        problems.append(Problem(file, line, reason, "span_text_mismatch", "warning"))
    return AnnotationRow(
        file=file,
        line=line,
        user=fields["user"].strip(),
        article=fields["articleName"].strip(),
        section_index=section,
        sentence_index=sentence_index,
        filename=filename,
        sentence=fields["sentence"],
        spans=tuple(spans),
    )


def parse_row_key(
    file: str, line: int, fields: dict[str, str], problems: list[Problem]
) -> tuple[int, int, str] | None:
    """``(section, sentence, filename)`` of a release row; None (and a problem) when unusable.

    ``videos.csv`` and the annotation files share these columns and their checks.
    """
    try:
        section = int(fields["sectionIndex"])
        sentence_index = int(fields["sentenceIndex"])
    except ValueError:
        reason = (
            f"non-numeric index (sectionIndex={fields['sectionIndex']!r}, "
            f"sentenceIndex={fields['sentenceIndex']!r}); fix the row"
        )
        problems.append(Problem(file, line, reason, "non_numeric_index"))
        return None
    if not (0 <= section <= MAX_INDEX and 0 <= sentence_index <= MAX_INDEX):
        reason = (
            f"index out of range (sectionIndex={section}, sentenceIndex={sentence_index}; "
            f"expected 0 to {MAX_INDEX}); fix the row"
        )
        problems.append(Problem(file, line, reason, "index_out_of_range"))
        return None
    filename = fields["filename"].strip()
    if not filename:
        problems.append(Problem(file, line, "empty filename; the row names no video", "no_video"))
        return None
    bad_id = id_problem(Path(filename).stem)
    if bad_id is not None:
        problems.append(Problem(file, line, f"{bad_id}; the row was left out", "bad_id"))
        return None
    return section, sentence_index, filename


def _literal_list(
    file: str, line: int, column: str, value: str, problems: list[Problem]
) -> list[Any] | None:
    """Parse a Python-literal list safely; None (and a problem) when it is not one."""
    text = value.strip()
    if not text:
        return []
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        reason = f"{column} is not a literal list ({text[:60]!r}); it was not evaluated"
        problems.append(Problem(file, line, reason, "bad_literal"))
        return None
    if not isinstance(parsed, list | tuple):
        reason = f"{column} is a {type(parsed).__name__}, not a list ({text[:60]!r})"
        problems.append(Problem(file, line, reason, "bad_literal"))
        return None
    return list(parsed)


def _spans(
    file: str,
    line: int,
    recording_id: str,
    pairs: list[Any],
    texts: list[Any],
    problems: list[Problem],
) -> list[FingerspellingSpan]:
    """Validate ``(start, end)`` pairs and attach their texts by position."""
    spans = []
    for position, pair in enumerate(pairs):
        text = texts[position] if position < len(texts) else None
        if text is not None and not isinstance(text, str):
            reason = (
                f"span {position}: spelled text {text!r} is not a string; kept as {str(text)!r}"
            )
            problems.append(Problem(file, line, reason, "non_string_text", "warning"))
            text = str(text)
        valid_pair = (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
        )
        if not valid_pair:
            reason = f"span {position}: {pair!r} is not a (start_frame, end_frame) pair of ints"
            problems.append(Problem(file, line, reason, "bad_span"))
            continue
        start, end = pair
        if start < 0 or end < start or end > MAX_FRAME:
            reason = (
                f"span {position}: ({start}, {end}) ends before it starts, is negative or ends "
                f"past frame {MAX_FRAME} (over an hour of video)"
            )
            problems.append(Problem(file, line, reason, "bad_span"))
            continue
        spans.append(
            FingerspellingSpan(
                id=f"{recording_id}:{position}",
                recording_id=recording_id,
                start_frame=start,
                end_frame=end,
                text=text,
                text_source="annotated" if text is not None else None,
                origin=f"{file}:{line}",
            )
        )
    return spans
