"""The file-level jobs behind ``asl-stem terms``: fit, predict, align and evaluate.

Inputs are annotation CSVs (``predict`` needs only ``filename`` and ``sentence``) and, for
``align``, a detector's ``spans.jsonl``. Problems are logged with file and line, counted, and
never stop a batch; outputs are written atomically, one JSON line per row in input order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from asl_stem.annotations import ALIASES, AnnotationRow, read_annotations
from asl_stem.atomic import read_jsonl, write_jsonl
from asl_stem.csvtable import iter_fields, read_table
from asl_stem.problems import Problem, count_by_kind
from asl_stem.terms.features import ArticleContext
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.lexicon import Lexicon, read_lexicon
from asl_stem.terms.scorer import TermScorer, load_default_scorer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentenceRow:
    """A recording's sentence: all ``predict`` needs (the article is optional)."""

    line: int
    filename: str
    sentence: str
    article: str | None


def _report(path: str | Path, problems: Sequence[Problem], read: int) -> None:
    for problem in problems:
        (logger.warning if problem.severity == "error" else logger.info)("%s", problem)
    if problems:
        logger.warning(
            "%s: %d rows read; problems by kind: %s", path, read, count_by_kind(problems)
        )


def read_rows(paths: Sequence[str | Path]) -> list[AnnotationRow]:
    """All rows of the annotation CSVs; each problem is logged and the totals counted."""
    rows: list[AnnotationRow] = []
    for path in paths:
        found, problems = read_annotations(path)
        _report(path, problems, len(found))
        rows += found
    if not rows:
        raise ValueError(f"no readable annotation rows in {', '.join(map(str, paths))}")
    return rows


def read_sentences(path: str | Path) -> list[SentenceRow]:
    """Rows of a CSV with at least ``filename`` and ``sentence`` columns (``articleName`` used
    as the title when present)."""
    aliases = {key: ALIASES[key] for key in ("filename", "sentence", "articleName")}
    try:
        table = read_table(path, ("filename", "sentence", "articleName"), aliases)
    except ValueError:
        table = read_table(path, ("filename", "sentence"), aliases)
    problems = list(table.problems)
    rows = []
    for line, fields, error in iter_fields(table):
        if fields is None or not fields["filename"].strip():
            problems.append(Problem(table.path, line, error or "empty filename", "bad_row"))
            continue
        article = fields.get("articleName", "").strip() or None
        rows.append(SentenceRow(line, fields["filename"].strip(), fields["sentence"], article))
    _report(path, problems, len(rows))
    return rows


def load_lexicon(path: str | Path | None) -> Lexicon | None:
    """The ASL-LEX file at ``path`` (its bad rows logged and counted), or None."""
    if path is None:
        return None
    lexicon = read_lexicon(path)
    _report(path, lexicon.problems, len(lexicon))
    logger.info("%s: %d signs", path, len(lexicon))
    return lexicon


def load_scorer(path: str | Path | None, lexicon: Lexicon | None = None) -> TermScorer:
    """The scorer saved at ``path``, or the packaged one (with or without lexicon features,
    as ``lexicon`` is given) when None."""
    if path is None:
        return load_default_scorer(lexicon)
    return TermScorer.load(path, lexicon)


def fit_from_csvs(
    paths: Sequence[str | Path],
    out: str | Path,
    lexicon: Lexicon | None = None,
    **fit_options: Any,
) -> TermScorer:
    """Fit a scorer on the rows of annotation CSVs and save it as JSON at ``out``."""
    rows = read_rows(paths)
    scorer = fit_scorer(rows, lexicon=lexicon, **fit_options)
    scorer.save(out)
    logger.info("wrote %s (%d rows, %d articles)", out, len(rows), len({r.article for r in rows}))
    return scorer


def predict_file(csv: str | Path, out: str | Path, scorer: TermScorer) -> int:
    """Score every candidate of every row's sentence; one JSON line per row. Returns the count."""
    rows = read_sentences(csv)
    cache: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    contexts = _contexts(rows)

    def lines() -> Iterator[dict[str, Any]]:
        for row in tqdm(rows, desc="terms predict", unit="row"):
            key = (row.sentence, row.article)
            if key not in cache:
                context = contexts.get(row.article) if row.article else None
                terms = scorer.score_sentence(row.sentence, article=row.article, context=context)
                cache[key] = [term.to_dict() for term in terms]
            yield {"filename": row.filename, "sentence": row.sentence, "terms": cache[key]}

    return write_jsonl(out, lines())


def _contexts(rows: Sequence[SentenceRow | AnnotationRow]) -> dict[str, ArticleContext]:
    """Each named article's sentences in the file, as its context (its term weights)."""
    sentences: dict[str, list[str]] = {}
    for row in rows:
        if row.article:
            sentences.setdefault(row.article, []).append(row.sentence)
    return {article: ArticleContext.from_sentences(s) for article, s in sentences.items()}


def read_detections(path: str | Path) -> tuple[dict[str, list[tuple[int, int]]], list[Problem]]:
    """Spans by recording id from a detector's ``spans.jsonl`` (docs/ARCHITECTURE.md)."""
    found: dict[str, list[tuple[int, int]]] = {}
    problems = []
    for number, record in enumerate(read_jsonl(path), start=1):
        try:
            spans = [(int(s["start_frame"]), int(s["end_frame"])) for s in record["spans"]]
            found[str(record["recording_id"])] = spans
        except (KeyError, TypeError, ValueError) as error:
            reason = f"not a detection line ({error!r}); expected recording_id and spans"
            problems.append(Problem(str(path), number, reason, "bad_detection"))
    return found, problems


def align_file(
    csv: str | Path, out: str | Path, scorer: TermScorer, spans: str | Path | None = None
) -> int:
    """Align each row's spans (the detector's, or the annotated ones) to the words they spell.

    Rows whose recording has no detection line are left out, logged and counted.
    """
    rows = read_rows([csv])
    detections = None
    if spans is not None:
        detections, problems = read_detections(spans)
        _report(spans, problems, len(detections))
    missing = 0
    contexts = _contexts(rows)

    def lines() -> Iterator[dict[str, Any]]:
        nonlocal missing
        for row in tqdm(rows, desc="terms align", unit="row"):
            if detections is None:
                pairs = [(s.start_frame, s.end_frame) for s in row.spans]
            elif row.recording_id in detections:
                pairs = detections[row.recording_id]
            else:
                missing += 1
                logger.warning(
                    "%s:%d: no detections for %s; row left out", csv, row.line, row.recording_id
                )
                continue
            article = row.article or None
            context = contexts.get(row.article) if article else None
            aligned = scorer.align(row.sentence, pairs, article=article, context=context)
            yield {"filename": row.filename, "spans": [span.to_dict() for span in aligned]}

    written = write_jsonl(out, lines())
    if missing:
        logger.warning("%d of %d rows had no detections and were left out", missing, len(rows))
    return written


def evaluate_files(
    paths: Sequence[str | Path],
    lexicon: Lexicon | None = None,
    *,
    learning_curve: bool = False,
    **fit_options: Any,
) -> dict[str, Any]:
    """Leave-one-article-out figures for the scorer, the aligner and the rarest-k baseline
    (and, with ``learning_curve``, the figures by number of training articles);
    ``fit_options`` go to :func:`~asl_stem.terms.fitting.fit_scorer` (model, calibration)."""
    from functools import partial

    from asl_stem.terms.evaluate import cross_validate
    from asl_stem.terms.learning import learning_curve as curve

    rows = read_rows(paths)
    fit = partial(fit_scorer, lexicon=lexicon, **fit_options)
    report = cross_validate(rows, fit=fit)
    report["lexicon"] = lexicon.source if lexicon is not None else None
    report["fit_options"] = fit_options
    if learning_curve:
        report["learning_curve"] = curve(rows, fit=fit)
    return report
