"""``recognize``: a trained checkpoint, shards and spans in, the letters of each span out.

Spans come from a span file (``asl-stem detect`` output) or, without one, from the annotated
spans in the shards. Each span is read from its spelling hand with a few frames of context,
decoded by prefix beam search; the output is a letters file (:mod:`asl_stem.corpus.readings`):
a span file whose spans carry the best string as ``text`` (``text_source="read"``, its share of
the n best as ``text_score``), with the n best of each span beside them.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rapidfuzz.distance import Levenshtein
from tqdm import tqdm

from asl_stem.corpus.readings import Reading, write_letter_file
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans, read_span_file
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.problems import count_by_kind
from asl_stem.recognize.alphabet import spelled
from asl_stem.recognize.ctc import beam_search, nbest_probabilities
from asl_stem.recognize.features import span_features, span_keypoints
from asl_stem.recognize.module import LetterRecognizer
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.sample import sample_spans

log = logging.getLogger(__name__)


def load_recognizer(checkpoint: str | Path, device: str = "cpu") -> LetterRecognizer:
    """A trained recognizer in eval mode; a clear error when the file is not one."""
    try:
        # the checkpoint holds the weights: the run it started from is not needed any more
        model = LetterRecognizer.load_from_checkpoint(
            checkpoint, map_location=device, init_from=None
        )
    except (KeyError, TypeError, RuntimeError, pickle.UnpicklingError) as error:
        first_line = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
        raise ValueError(
            f"{checkpoint} is not a recognizer checkpoint of `asl-stem train` ({first_line}); "
            "pass the .ckpt file of a run of models/recognizer-*.yaml"
        ) from error
    return model.eval()


@torch.inference_mode()
def span_log_probs(model: LetterRecognizer, features: np.ndarray) -> np.ndarray:
    """(T, classes) log probabilities for one span's features (T, F)."""
    device = next(model.parameters()).device
    x = torch.from_numpy(features).unsqueeze(0).to(device)
    valid = torch.ones(1, len(features), dtype=torch.bool, device=device)
    return model(x, valid)[0].cpu().numpy()


def read_span(
    model: LetterRecognizer, keypoints: np.ndarray, is_valid: np.ndarray, span: FingerspellingSpan
) -> Reading:
    """The n best readings of one span of a recording's keypoints."""
    points, valid = span_keypoints(keypoints, is_valid, span.start_frame, span.end_frame)
    log_probs = span_log_probs(model, span_features(points, valid))
    hypotheses = beam_search(log_probs, model.hparams.beam, model.hparams.nbest)
    return Reading(tuple(nbest_probabilities(hypotheses)))


@dataclass
class Tally:
    """Character errors of the best readings against annotated texts, for the CER."""

    edits: int = 0
    characters: int = 0
    spans: int = 0
    exact: int = 0

    def add(self, truth: str, read: str) -> None:
        reference, hypothesis = spelled(truth), spelled(read)
        if not reference:
            return
        self.edits += Levenshtein.distance(reference, hypothesis)
        self.characters += len(reference)
        self.spans += 1
        self.exact += reference == hypothesis

    def summary(self) -> dict[str, float | int]:
        if not self.spans:
            return {"spans": 0}
        return {
            "spans": self.spans,
            "cer": self.edits / self.characters,
            "exact": self.exact / self.spans,
        }


def iter_readings(
    model: LetterRecognizer,
    shards: str,
    spans: Mapping[str, RecordingSpans] | None = None,
    tally: Tally | None = None,
    articles: Collection[str] | None = None,
) -> Iterator[tuple[RecordingSpans, dict[str, Reading]]]:
    """Each recording's spans (of ``articles`` only, if given), read, with the readings by
    span id. Without ``spans``, the shards' annotated spans are read (and scored into
    ``tally`` against their texts)."""
    for sample in iter_samples(shards, num_points=NUM_BODY_POINTS):
        meta = sample["meta"]
        if articles is not None and meta.get("article") not in articles:
            continue
        if spans is not None:
            line = spans.get(sample["key"])
            if line is None:
                continue
            todo, fps = list(line.spans), line.fps
        else:
            annotated = sample_spans(sample)
            if not annotated:
                continue
            todo, fps = annotated, meta.get("fps")
        readings, read = {}, []
        for span in todo:
            reading = read_span(model, sample["keypoints"], sample["is_valid"], span)
            readings[span.id] = reading
            if tally is not None and spans is None and span.text:
                tally.add(span.text, reading.best)
            read.append(
                span.replace(
                    text=reading.best, text_source="read", text_score=round(reading.score, 6)
                )
            )
        frames = len(sample["keypoints"])
        yield RecordingSpans(sample["key"], frames, tuple(read), fps), readings


def recognize(
    checkpoint: str | Path,
    shards: str,
    out: str | Path,
    spans: str | Path | None = None,
    articles: Collection[str] | None = None,
) -> dict[str, Any]:
    """Write the letters file for ``shards`` (the spans of ``spans``, else the annotated ones;
    of ``articles`` only, if given); return the recordings written and, for annotated spans,
    the character error rate."""
    model = load_recognizer(checkpoint)
    lines = None
    if spans is not None:
        lines, problems = read_span_file(spans)
        for problem in problems:
            log.warning("%s", problem)
        if problems:
            log.warning("%s: problems by kind: %s", spans, count_by_kind(problems))
    tally = Tally()
    readings = iter_readings(model, shards, lines, tally, articles)
    items = tqdm(readings, desc="recognize", unit="rec")
    count = write_letter_file(out, items)
    if lines is not None and articles is None and count < len(lines):
        log.warning("%d recordings of %s are in no shard; left out", len(lines) - count, spans)
    log.info("wrote %d recordings' letters to %s", count, out)
    return {"recordings": count} | ({"annotated": tally.summary()} if spans is None else {})
