"""Shards of synthetic signing for benchmarks and device checks, made with the real pieces.

The synthetic signer (:func:`asl_stem.synth.signer.synthesize_timed`) signs each recording with
fingerspelled spans at random frames; the shard writer writes them as real WebDataset tars with
an index. Nothing here is needed to train on real data.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
from tqdm import tqdm

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, write_catalog
from asl_stem.shards.writer import Sample, plan_shards, write_shard
from asl_stem.synth.signer import synthesize_timed

FPS = 30.0


def random_spans(
    rng: np.random.Generator, num_frames: int, recording_id: str
) -> list[FingerspellingSpan]:
    """Non-overlapping spans of 0.7-3 s with 1-4 s of other signing between them."""
    spans: list[FingerspellingSpan] = []
    start = int(rng.integers(30, 90))
    while True:
        length = int(rng.integers(20, 90))
        if start + length >= num_frames - 15:
            return spans
        word = "".join(rng.choice(list(string.ascii_lowercase), size=int(rng.integers(3, 9))))
        spans.append(
            FingerspellingSpan(
                f"{recording_id}:{len(spans)}",
                recording_id,
                start,
                start + length - 1,
                text=word,
                fps=FPS,
            )
        )
        start += length + int(rng.integers(30, 120))


def write_synthetic_shards(
    folder: str | Path,
    recordings: int = 64,
    frames: tuple[int, int] = (300, 900),
    shard_size: int = 8,
    articles: tuple[str, ...] = ("Synthetic A", "Synthetic B"),
    seed: int = 0,
) -> int:
    """Write ``recordings`` synthetic recordings as shards in ``folder``; return total frames."""
    rng = np.random.default_rng(seed)
    ids = [f"synthetic-{n:05d}" for n in range(recordings)]
    samples: dict[str, Sample] = {}
    total = 0
    for number, key in enumerate(tqdm(ids, desc="synthesise", unit="rec")):
        num_frames = int(rng.integers(*frames))
        spans = random_spans(rng, num_frames, key)
        signing = synthesize_timed(spans, num_frames, fps=FPS, seed=int(rng.integers(2**31)))
        meta = {
            "recording_id": key,
            "article": articles[number % len(articles)],
            "fps": FPS,
            "num_frames": num_frames,
            "spans": [
                {"start_frame": s.start_frame, "end_frame": s.end_frame, "text": s.text}
                for s in spans
            ],
        }
        keypoints = signing.keypoints[:, :NUM_BODY_POINTS].astype(np.float16)
        samples[key] = Sample(key, keypoints, meta)
        total += num_frames
    plans = plan_shards(ids, shard_size)
    entries = [write_shard(folder, p, [samples[k] for k in p.recording_ids]) for p in plans]
    header = KeypointHeader(NUM_BODY_POINTS)
    index = ShardCatalog({"source": "synthetic"}, len(plans), entries, header)
    write_catalog(folder, index)
    return total
