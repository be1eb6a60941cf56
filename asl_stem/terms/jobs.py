"""The file-level jobs behind ``asl-stem terms``: fit, predict, align and evaluate.

Ground truth comes from a manifest folder of `asl-stem ingest`, or from annotation CSVs
ingested on the fly (:func:`asl_stem.corpus.open_corpus`), so continuation rows of one
recording count once. ``align`` reads a span file (``asl-stem detect`` output) or the annotated
spans, and writes a span file whose spans carry the words they spell. Problems are logged with
file and line, counted, and never stop a batch; outputs are written atomically.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from asl_stem.atomic import write_jsonl
from asl_stem.corpus import AnnotatedRecording, Corpus, open_corpus
from asl_stem.corpus.readings import Reading, read_letter_file
from asl_stem.corpus.records import FingerspellingSpan, frame_iou
from asl_stem.corpus.spanfile import RecordingSpans, read_span_file, write_span_file
from asl_stem.problems import count_by_kind
from asl_stem.terms.evidence import RecordingCounts
from asl_stem.terms.features import ArticleContext
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.joint import ArticleText, RecordingToAlign, align_article
from asl_stem.terms.lexicon import Lexicon, read_lexicon
from asl_stem.terms.scorer import TermScorer, load_default_scorer

logger = logging.getLogger(__name__)
Source = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def annotated(source: Source, corpus: Corpus | None = None) -> list[AnnotatedRecording]:
    """Every annotated recording of a manifest folder or of annotation CSVs (``corpus``: the
    source already opened)."""
    recordings = (corpus if corpus is not None else open_corpus(source)).annotated_recordings()
    if not recordings:
        raise ValueError(f"no annotated recording in {source}; pass annotation CSVs or manifests")
    return recordings


def load_lexicon(path: str | Path | None) -> Lexicon | None:
    """The ASL-LEX file at ``path`` (its bad rows logged and counted), or None."""
    if path is None:
        return None
    lexicon = read_lexicon(path)
    for problem in lexicon.problems:
        (logger.warning if problem.severity == "error" else logger.info)("%s", problem)
    if lexicon.problems:
        logger.warning("%s: problems by kind: %s", path, count_by_kind(lexicon.problems))
    logger.info("%s: %d signs", path, len(lexicon))
    return lexicon


def load_scorer(path: str | Path | None, lexicon: Lexicon | None = None) -> TermScorer:
    """The scorer saved at ``path``, or the packaged one (with or without lexicon features,
    as ``lexicon`` is given) when None."""
    if path is None:
        return load_default_scorer(lexicon)
    return TermScorer.load(path, lexicon)


def aligned_rows(corpus: Corpus, paths: Sequence[str | Path]) -> list[AnnotatedRecording]:
    """The recordings of span files that ``terms align`` wrote, each with its sentence from
    the corpus and its spans named by the aligner: evidence without labels.

    A recording the corpus does not know, or with a span that no aligner named (a detector's
    span file), is logged and left out; a file in which no span has a text is an error.
    """
    if not paths:
        return []
    recordings = corpus.recordings.to_eager()
    sentences = {sentence.id: sentence.text for sentence in corpus.sentences}
    out: list[AnnotatedRecording] = []
    for path in paths:
        lines = _read_spans(path)
        spans = [span for line in lines for span in line.spans]
        if spans and not any(span.text for span in spans):
            raise ValueError(
                f"{path}: no span has a text, so no aligner named them; run "
                f"`asl-stem terms align --spans {path} --out aligned.jsonl` and pass that file"
            )
        unknown = unnamed = 0
        for line in lines:
            recording = recordings.get(line.recording_id)
            if recording is None or recording.sentence_id not in sentences:
                unknown += 1
            elif any(not span.text for span in line.spans):
                unnamed += 1
            else:
                sentence = sentences[recording.sentence_id]
                out.append(AnnotatedRecording(recording, sentence, recording.article, line.spans))
        if unknown:
            logger.warning("%s: %d recordings are not in the corpus; left out", path, unknown)
        if unnamed:
            logger.warning("%s: %d recordings have spans without a text; left out", path, unnamed)
        logger.info("%s: %d aligned recordings", path, len(lines) - unknown - unnamed)
    return out


def fit_from(
    source: Source,
    out: str | Path,
    lexicon: Lexicon | None = None,
    aligned: Sequence[str | Path] = (),
    **fit_options: Any,
) -> TermScorer:
    """Fit a scorer on the annotated recordings of ``source`` (and the corpus counts of the
    ``aligned`` span files too) and save it as JSON at ``out``; ``fit_options`` go to
    :func:`~asl_stem.terms.fitting.fit_scorer` (model, calibration)."""
    corpus = open_corpus(source)
    rows = annotated(source, corpus)
    extra = aligned_rows(corpus, aligned)
    scorer = fit_scorer(rows, lexicon=lexicon, aligned=extra, **fit_options)
    scorer.save(out)
    articles = len({r.article for r in rows})
    logger.info("wrote %s (%d recordings, %d articles)", out, len(rows), articles)
    return scorer


def predict_file(
    source: Source, out: str | Path, scorer: TermScorer, aligned: Sequence[str | Path] = ()
) -> int:
    """Score every candidate of every sentence; one JSON line per sentence. Returns the count.

    With ``aligned`` span files (``terms align`` output), each article's scores are blended with
    how often its aligned recordings spelled each term, and each term carries those counts.
    """
    corpus = open_corpus(source)
    titles = {article.id: article.title for article in corpus.articles}
    contexts = _contexts(corpus)
    by_article: dict[str, list[AnnotatedRecording]] = {}
    for row in aligned_rows(corpus, aligned):
        by_article.setdefault(row.recording.article_id, []).append(row)
    evidence = {key: RecordingCounts.from_rows(rows) for key, rows in by_article.items()}

    def lines() -> Iterator[dict[str, Any]]:
        for sentence in tqdm(corpus.sentences, desc="terms predict", unit="sentence"):
            title = titles.get(sentence.article_id, sentence.article)
            context = contexts.get(sentence.article_id)
            terms = scorer.score_sentence(
                sentence.text,
                article=title,
                context=context,
                evidence=evidence.get(sentence.article_id),
            )
            yield {
                "sentence_id": sentence.id,
                "article": title,
                "sentence": sentence.text,
                "terms": [term.to_dict() for term in terms],
            }

    return write_jsonl(out, lines())


def align_file(
    source: Source,
    out: str | Path,
    scorer: TermScorer,
    spans: str | Path | None = None,
    letters: str | Path | None = None,
) -> int:
    """Name the word each span spells: the detector's spans (a span file), the spans of a
    letters file, else the annotated; with ``letters`` (``asl-stem recognize`` output), the
    letters read from each span count too. Each article's recordings are aligned jointly.

    Writes a span file; recordings that the corpus does not know are left out, logged and
    counted. Returns the number of recordings written.
    """
    corpus = open_corpus(source)
    readings: dict[str, Reading] = {}
    if letters is not None:
        read_lines, readings = _letter_lines(letters)
        items = read_lines if spans is None else _span_lines(corpus, spans)
        if spans is not None:
            readings = _join_readings(items, read_lines, readings)
    else:
        items = _span_lines(corpus, spans)
    groups, missing = _by_article(corpus, items, scorer)
    aligned: dict[str, list[FingerspellingSpan]] = {}
    for article_items in tqdm(groups.values(), desc="terms align", unit="article"):
        aligned |= align_article(article_items, scorer.aligner, readings)
    written = write_span_file(
        out,
        (
            RecordingSpans(
                item.recording_id, item.num_frames, tuple(aligned[item.recording_id]), item.fps
            )
            for item in items
            if item.recording_id in aligned
        ),
    )
    if missing:
        logger.warning("%d of %d recordings were not in the corpus", missing, len(items))
    return written


def _contexts(corpus: Corpus) -> dict[str, ArticleContext]:
    """Each article's sentences as its context (the weight of each term in it), by article id."""
    texts: dict[str, list[str]] = {}
    for sentence in corpus.sentences:
        texts.setdefault(sentence.article_id, []).append(sentence.text)
    return {article: ArticleContext.from_sentences(t) for article, t in texts.items()}


def _by_article(
    corpus: Corpus, items: Sequence[RecordingSpans], scorer: TermScorer
) -> tuple[dict[str, list[RecordingToAlign]], int]:
    """The recordings to align, grouped by article, and how many the corpus does not know."""
    sentences = {s.id: s for s in corpus.sentences}
    recordings = corpus.recordings.to_eager()
    texts = {
        article.id: ArticleText(
            article.title,
            [
                (sid, sentences[sid].text)
                for part in article.sections
                for sid in part
                if sid in sentences
            ],
        )
        for article in corpus.articles
    }
    contexts = _contexts(corpus)
    scored: dict[str, tuple[list, Any]] = {}
    groups: dict[str, list[RecordingToAlign]] = {}
    missing = 0
    for item in items:
        recording = recordings.get(item.recording_id)
        if recording is None or recording.sentence_id not in sentences:
            missing += 1
            logger.warning("%s is not in the corpus; left out", item.recording_id)
            continue
        sentence = sentences[recording.sentence_id]
        text = texts.get(recording.article_id, ArticleText(recording.article, []))
        if sentence.id not in scored:
            scored[sentence.id] = scorer.score_candidates(
                sentence.text, article=text.title, context=contexts.get(recording.article_id)
            )
        found, scores = scored[sentence.id]
        groups.setdefault(recording.article_id, []).append(
            RecordingToAlign(
                item.recording_id,
                item.spans,
                found,
                scores,
                recording.interpreter,
                text.names_for(sentence.id, sentence.text),
            )
        )
    return groups, missing


def _letter_lines(path: str | Path) -> tuple[list[RecordingSpans], dict[str, Reading]]:
    """The spans of a letters file and their readings; bad lines logged and counted."""
    found, readings, problems = read_letter_file(path)
    for problem in problems:
        logger.warning("%s", problem)
    if problems:
        logger.warning("%s: problems by kind: %s", path, count_by_kind(problems))
    return list(found.values()), readings


def _join_readings(
    items: Sequence[RecordingSpans], read: Sequence[RecordingSpans], readings: dict[str, Reading]
) -> dict[str, Reading]:
    """Readings for the spans of ``items``: those of the read span overlapping each most
    (IoU >= 0.5) in the same recording; spans without one are aligned on text alone."""
    by_recording = {line.recording_id: line.spans for line in read}
    out, unread = {}, 0
    for item in items:
        for span in item.spans:
            best, best_iou = None, 0.5
            for other in by_recording.get(item.recording_id, ()):
                iou = frame_iou(span.frames, other.frames)
                if iou >= best_iou and other.id in readings:
                    best, best_iou = other, iou
            if best is None:
                unread += 1
            else:
                out[span.id] = readings[best.id]
    if unread:
        logger.warning(
            "%d spans have no reading in the letters file; aligned on text alone", unread
        )
    return out


def _read_spans(path: str | Path) -> list[RecordingSpans]:
    """A span file's lines; bad lines are logged and counted, and left out."""
    found, problems = read_span_file(path)
    for problem in problems:
        logger.warning("%s", problem)
    if problems:
        logger.warning("%s: problems by kind: %s", path, count_by_kind(problems))
    return list(found.values())


def _span_lines(corpus: Corpus, spans: str | Path | None) -> list[RecordingSpans]:
    """The lines to align: a span file's, or one per annotated recording."""
    if spans is not None:
        return _read_spans(spans)
    return [
        RecordingSpans(
            item.recording_id,
            item.recording.num_frames or (max((s.end_frame for s in item.spans), default=0) + 1),
            item.spans,
            item.recording.fps,
        )
        for item in corpus.annotated_recordings()
    ]


def evaluate_files(
    source: Source,
    lexicon: Lexicon | None = None,
    *,
    learning_curve: bool = False,
    aligned: Sequence[str | Path] = (),
    detections: str | Path | None = None,
    **fit_options: Any,
) -> dict[str, Any]:
    """Leave-one-article-out figures for the scorer, the aligner and the rarest-k baseline
    (and, with ``learning_curve``, the figures by number of training articles); the
    ``aligned`` span files add to each fold's corpus counts, but never the held-out
    article's; a ``detections`` span file (``asl-stem detect``) gives the other interpreters'
    spans of the blend; ``fit_options`` go to :func:`~asl_stem.terms.fitting.fit_scorer`."""
    from functools import partial

    from asl_stem.terms.evaluate import cross_validate
    from asl_stem.terms.learning import learning_curve as curve

    corpus = open_corpus(source)
    rows = annotated(source, corpus)
    fit = partial(fit_scorer, lexicon=lexicon, **fit_options)
    detected = None if detections is None else detected_spans(detections, rows)
    report = cross_validate(
        rows, fit=fit, aligned=aligned_rows(corpus, aligned), detections=detected
    )
    report["lexicon"] = lexicon.source if lexicon is not None else None
    report["fit_options"] = fit_options
    if learning_curve:
        report["learning_curve"] = curve(rows, fit=fit, full=report)
    return report


def detected_spans(
    path: str | Path, rows: Sequence[AnnotatedRecording]
) -> dict[str, tuple[FingerspellingSpan, ...]]:
    """A detector's spans of the annotated recordings, by recording id; recordings it has no
    line for, and lines for recordings the rows lack, are counted in the log."""
    found = {line.recording_id: line.spans for line in _read_spans(path)}
    ids = {row.recording_id for row in rows}
    missing, extra = len(ids - set(found)), len(set(found) - ids)
    if missing:
        logger.warning(
            "%s: %d of %d annotated recordings have no line; the blend leaves them out",
            path,
            missing,
            len(ids),
        )
    if extra:
        logger.info("%s: %d lines are not annotated recordings; not used", path, extra)
    if missing == len(ids):
        raise ValueError(
            f"{path}: no line is an annotated recording of --annotations; pass the span file "
            "that `asl-stem detect` wrote for these recordings"
        )
    return {key: tuple(spans) for key, spans in found.items() if key in ids}
