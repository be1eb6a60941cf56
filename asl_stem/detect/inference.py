"""``detect``: a trained checkpoint and shards in, scored spans per recording out (JSONL).

Frame probabilities come from the network over chunks of at most ``chunk_frames`` frames with
``overlap`` frames of context on each side (averaged where chunks overlap), so any recording
length fits in memory; then :func:`~asl_stem.detect.binarize.binarize` turns them into spans.
Every span names the checkpoint and its sha256 in ``origin``, so results trace to the weights.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from asl_stem.corpus.spanfile import RecordingSpans, write_span_file
from asl_stem.detect.binarize import BinarizeConfig, binarize
from asl_stem.detect.checkpoint import read_checkpoint
from asl_stem.detect.detection import Detection
from asl_stem.detect.features import compute_features
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.detect.plot import plot_detection
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.sample import sample_spans
from asl_stem.shards.sources import resolve

log = logging.getLogger(__name__)

DEFAULT_FPS = 30.0  # the corpus' rate, for records made without probing the video


def load_detector(checkpoint: str | Path, device: str = "cpu") -> FingerspellingDetector:
    """A trained detector in eval mode, its weights verified; ``model.origin`` names the file
    and its sha256. A :class:`~asl_stem.detect.checkpoint.CheckpointError` (a ValueError)
    when the file is empty, corrupt or not a detector of ours."""
    loaded = read_checkpoint(checkpoint)
    try:
        model = FingerspellingDetector.load_from_checkpoint(loaded.stream(), map_location=device)
    except (KeyError, TypeError, RuntimeError, ValueError) as error:
        text = str(error).strip() or "the file ends early: empty or cut short"
        first_line = text.splitlines()[0][:160]
        raise ValueError(
            f"{checkpoint} is not a checkpoint of `asl-stem train` ({first_line}); pass the "
            ".ckpt file from the run's checkpoints folder"
        ) from error
    model.origin = loaded.origin
    return model.eval()


@torch.inference_mode()
def frame_probabilities(
    model: FingerspellingDetector,
    features: np.ndarray,
    chunk_frames: int = 2048,
    overlap: int = 128,
) -> np.ndarray:
    """(T,) fingerspelling probability per frame for features (T, F)."""
    total = len(features)
    sums, counts = np.zeros(total), np.zeros(total)
    step = max(1, chunk_frames - 2 * overlap)
    device = next(model.parameters()).device
    for start in range(0, max(total, 1), step):
        lo, hi = max(0, start - overlap), min(total, start + step + overlap)
        x = torch.from_numpy(features[lo:hi]).unsqueeze(0).to(device)
        valid = torch.ones(1, hi - lo, dtype=torch.bool, device=device)
        probs = torch.sigmoid(model(x, valid).float())[0].cpu().numpy()
        sums[lo:hi] += probs
        counts[lo:hi] += 1
        if hi >= total:
            break
    return sums / np.maximum(counts, 1)


def iter_detections(
    model: FingerspellingDetector,
    shards: str,
    decoding: BinarizeConfig | None = None,
    keys: Collection[str] | None = None,
) -> Iterator[Detection]:
    """Detections for every recording of ``shards`` (of ``keys`` only, if given: with a
    catalog, other samples are never decoded)."""
    decoding = decoding if decoding is not None else model.decoding
    origin = getattr(model, "origin", None)  # set by load_detector
    for sample in iter_samples(shards, num_points=NUM_BODY_POINTS, keys=keys):
        meta = sample["meta"]
        features = compute_features(sample["keypoints"], sample["is_valid"])
        probabilities = frame_probabilities(model, features)
        fps = DEFAULT_FPS if meta.get("fps") is None else float(meta["fps"])
        spans = binarize(probabilities, **asdict(decoding), recording_id=sample["key"], fps=fps)
        if origin is not None:
            spans = [span.replace(origin=origin) for span in spans]
        yield Detection(
            recording_id=sample["key"],
            fps=fps,
            probabilities=probabilities,
            spans=spans,
            truths=sample_spans(sample),
            meta=meta,
        )


def detect(
    checkpoint: str | Path,
    shards: str,
    out: str | Path,
    plot_dir: str | Path | None = None,
    decoding_overrides: Mapping[str, float | int | None] | None = None,
) -> int:
    """Write ``spans.jsonl`` for every recording of ``shards``; return how many recordings.

    Decoding uses the checkpoint's parameters, with the non-None ``decoding_overrides``
    replacing them. With ``plot_dir``, also one PNG per recording of probabilities and spans.
    """
    model = load_detector(checkpoint)
    changes = {k: v for k, v in (decoding_overrides or {}).items() if v is not None}
    decoding = replace(model.decoding, **changes)

    catalog = resolve(shards).catalog  # the bar's total, when the shards have a catalog
    total = sum(entry.samples for entry in catalog.shards) if catalog is not None else None

    def lines() -> Iterator[RecordingSpans]:
        detections = iter_detections(model, shards, decoding)
        for detection in tqdm(detections, desc="detect", unit="rec", total=total):
            if plot_dir is not None:
                plot_detection(
                    detection, Path(plot_dir) / f"{detection.recording_id}.png", decoding
                )
            yield detection.recording_spans()

    count = write_span_file(out, lines())
    log.info("wrote %d recordings' spans to %s (weights %s)", count, out, model.origin)
    return count
