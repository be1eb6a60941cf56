"""Toy shards with a sentence per recording and an unannotated majority, and a checkpoint.

The recordings are the toy signer's of ``detect_fixtures``; only the first ``annotated`` carry
spans in their JSON record, as in the release where most recordings are not annotated.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import numpy as np
from detect_fixtures import toy_recording, toy_spans

from asl_stem.detect.data import FingerspellingData
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, write_catalog
from asl_stem.shards.writer import Sample, plan_shards, write_shard

SENTENCES = (
    "The enzyme helicase unwinds DNA.",
    "Photosynthesis makes glucose from light.",
    "Graphene conducts heat well.",
)


def make_mixed_shards(
    folder: Path, annotated: int = 6, unannotated: int = 6, frames: int = 120, seed: int = 0
) -> dict[str, list[tuple[int, int]]]:
    """Write the shards; return every recording's true spans (annotated or not)."""
    rng = np.random.default_rng(seed)
    ids = [f"toy-{n:03d}" for n in range(annotated + unannotated)]
    truths, samples = {}, {}
    for number, key in enumerate(ids):
        spans = toy_spans(rng, frames)
        truths[key] = spans
        meta = {
            "recording_id": key,
            "fps": 30.0,
            "num_frames": frames,
            "article": ("Alpha", "Beta")[number % 2],
            "sentence": SENTENCES[number % len(SENTENCES)],
        }
        if number < annotated:
            meta["spans"] = [{"start_frame": s, "end_frame": e, "text": "abc"} for s, e in spans]
        samples[key] = Sample(key, toy_recording(rng, frames, spans), meta)
    plans = plan_shards(ids, 2)
    entries = [write_shard(folder, p, [samples[k] for k in p.recording_ids]) for p in plans]
    write_catalog(folder, ShardCatalog({"source": "toy"}, len(plans), entries, KeypointHeader(75)))
    return truths


def train_checkpoint(shards: Path, out: Path, epochs: int = 2, **model: object) -> Path:
    """A small detector trained briefly on the annotated recordings, saved as a checkpoint."""
    L.seed_everything(0)
    detector = FingerspellingDetector(hidden=16, dilations=(1, 2), heads=2, **model)
    data = FingerspellingData(str(shards), window_frames=64, batch_size=4)
    trainer = L.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        default_root_dir=out,
        enable_progress_bar=False,
        enable_checkpointing=False,
        logger=False,
    )
    trainer.fit(detector, datamodule=data)
    path = out / "detector.ckpt"
    trainer.save_checkpoint(path)
    return path
