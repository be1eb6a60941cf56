"""What the demo draws: the detector on a few held-out recordings, and one spelled term."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from asl_stem.corpus import Corpus, FingerspellingSpan
from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.detect.plot import plot_detections
from asl_stem.synth.render import render_contact_sheet

PLOTTED = 3  # held-out recordings in the detection plot
SHEET_TILES = 24


def plotted_recordings(manifests: Path, held_out: str, count: int = PLOTTED) -> list[str]:
    """The first ``count`` held-out recordings (by id) that have a fingerspelled span."""
    corpus = Corpus.from_dir(manifests)
    spelled = sorted(
        item.recording.id
        for item in corpus.annotated_recordings()
        if item.recording.article == held_out and item.spans
    )
    return spelled[:count]


def plot_held_out(
    checkpoint: Path, shards: Path, keys: list[str], held_out: str, path: Path
) -> list[FingerspellingSpan]:
    """Plot the detector's probabilities on ``keys``; return their annotated spans, in order."""
    model = load_detector(checkpoint)
    detections = sorted(
        iter_detections(model, str(shards), keys=set(keys)), key=lambda d: d.recording_id
    )
    plot_detections(
        detections,
        path,
        model.decoding,
        title=f"Detector on the held-out article {held_out!r} (never seen in training)",
    )
    return [span for detection in detections for span in detection.truths or []]


def contact_sheet(corpus_dir: Path, manifests: Path, span: FingerspellingSpan, path: Path) -> Path:
    """Frames of one spelled term (every second frame, a few before and after), its text above."""
    recording = next(r for r in Corpus.from_dir(manifests).recordings if r.id == span.recording_id)
    keypoints = np.load(corpus_dir / "keypoints" / f"{Path(recording.filename).stem}.npy")
    first = max(0, span.start_frame - 4)
    last = min(len(keypoints) - 1, span.end_frame + 4)
    step = max(1, int(np.ceil((last - first + 1) / SHEET_TILES)))
    frames = list(range(first, last + 1, step))
    return render_contact_sheet(
        keypoints,
        path,
        frames=frames,
        spans=[span],
        columns=8,
        tile=(150, 150),
        title=(
            f"'{span.text}' fingerspelled in {span.recording_id}: frames {span.start_frame}-"
            f"{span.end_frame} (every {step} frames; span tiles marked)"
        ),
    )
