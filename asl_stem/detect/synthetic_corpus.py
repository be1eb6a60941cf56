"""A synthetic corpus shaped like the release: a small annotated part and many unlabeled hours.

The annotated part is the synthetic twin of an annotation file (its real sentences, spelled
strings and span frames; :func:`asl_stem.synth.corpus.twin_jobs`). The unlabeled part is the
same articles' sentences signed again by other synthetic interpreters, who choose what to
spell by the documented rule of :mod:`asl_stem.synth.choice`; their samples carry no
``spans`` (unannotated, as most of the release). The spans they did spell are returned apart,
only to measure pseudo-label quality, never to train or choose settings.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, ShardEntry, write_catalog
from asl_stem.shards.writer import Sample, ShardPlan, plan_shards, write_shard
from asl_stem.synth.choice import choose_fingerspelled
from asl_stem.synth.corpus import CorpusReport, twin_jobs
from asl_stem.synth.signer import synthesize, synthesize_timed
from asl_stem.synth.style import SignerStyle

FPS = 30.0


@dataclass(frozen=True)
class Recording:
    """One recording to synthesise; ``spans`` given for the twin, planned otherwise."""

    key: str
    article: str
    interpreter: str
    sentence: str
    style: SignerStyle
    seed: int
    annotated: bool
    spans: tuple[FingerspellingSpan, ...] = ()
    num_frames: int = 0
    terms: tuple[str, ...] = ()


def plan_corpus(annotations: str | Path, interpreters: int, seed: int) -> list[Recording]:
    """The twin's recordings, then ``interpreters`` synthetic interpreters signing every
    sentence of the same articles, unlabeled."""
    twin = twin_jobs(annotations, seed, FPS, CorpusReport(str(annotations)))
    recordings = [
        Recording(
            key=Path(job.filename).stem,
            article=job.article,
            interpreter=job.user,
            sentence=job.sentence,
            style=job.style,
            seed=job.seed,
            annotated=True,
            spans=tuple(job.spans or ()),
            num_frames=job.num_frames,
        )
        for job in twin
    ]
    sentences = sorted({(job.article, job.sentence) for job in twin})
    rng = np.random.default_rng([seed, 1])
    for person in range(interpreters):
        user = f"synthetic-{person:02d}"
        style, bias = SignerStyle.random(rng), float(rng.normal(0.0, 0.7))
        for number, (article, sentence) in enumerate(sentences):
            terms = choose_fingerspelled(sentence, user, bias, rng, article)
            key = f"u{person:02d}-{number:04d}"
            seed_of = int(rng.integers(2**31))
            recordings.append(
                Recording(key, article, user, sentence, style, seed_of, False, terms=tuple(terms))
            )
    return recordings


def synthesise(recording: Recording) -> tuple[Sample, RecordingSpans]:
    """The shard sample (spans in its record only when annotated) and the spans signed."""
    if recording.annotated:
        signing = synthesize_timed(
            recording.spans, recording.num_frames, fps=FPS, signer=recording.style,
            seed=recording.seed,
        )  # fmt: skip
    else:
        signing = synthesize(
            recording.sentence, recording.terms, fps=FPS, signer=recording.style,
            seed=recording.seed, recording_id=recording.key,
        )  # fmt: skip
    spans = tuple(s.replace(recording_id=recording.key) for s in signing.spans)
    meta = {
        "recording_id": recording.key,
        "article": recording.article,
        "interpreter": recording.interpreter,
        "sentence": recording.sentence,
        "fps": FPS,
        "num_frames": signing.num_frames,
    }
    if recording.annotated:
        meta["spans"] = [
            {"start_frame": s.start_frame, "end_frame": s.end_frame, "text": s.text} for s in spans
        ]
    keypoints = signing.keypoints[:, :NUM_BODY_POINTS].astype(np.float16)
    return Sample(recording.key, keypoints, meta), RecordingSpans(
        recording.key, signing.num_frames, spans, FPS
    )


def _write(job: tuple[str, ShardPlan, list[Recording]]) -> tuple[ShardEntry, list[RecordingSpans]]:
    """Synthesise and write one shard (in a worker process)."""
    folder, plan, recordings = job
    made = [synthesise(recording) for recording in recordings]
    entry = write_shard(folder, plan, [sample for sample, _ in made])
    return entry, [truth for _, truth in made]


def write_corpus_shards(
    folder: str | Path,
    annotations: str | Path,
    *,
    interpreters: int = 30,
    seed: int = 0,
    shard_size: int = 64,
    workers: int | None = None,
) -> dict[str, RecordingSpans]:
    """Write the corpus as shards with a catalog; return every recording's signed spans."""
    recordings = {r.key: r for r in plan_corpus(annotations, interpreters, seed)}
    plans = plan_shards(sorted(recordings), shard_size)
    jobs = [(str(folder), p, [recordings[k] for k in p.recording_ids]) for p in plans]
    workers = workers or min(2, os.cpu_count() or 1)
    truths: dict[str, RecordingSpans] = {}
    entries = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for entry, made in tqdm(pool.map(_write, jobs), total=len(jobs), unit="shard"):
            entries.append(entry)
            truths.update((item.recording_id, item) for item in made)
    catalog = ShardCatalog({"source": "synthetic"}, len(plans), entries, KeypointHeader(75))
    write_catalog(folder, catalog)
    return truths
