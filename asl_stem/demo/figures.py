"""What the demo draws: the detector on a few held-out recordings, and one spelled term."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from asl_stem.corpus import Corpus, FingerspellingSpan
from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.detect.plot import plot_detections
from asl_stem.layout import LEFT_HAND, RIGHT_HAND
from asl_stem.synth.render import render_contact_sheet

PLOTTED = 3  # held-out recordings in the detection plot
SHEET_TILES = 24
HAND_VIEW = 0.15  # half the side of the zoomed box, in image widths


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


def spelling_hand_view(keypoints: np.ndarray, span: FingerspellingSpan) -> tuple[float, ...]:
    """A box (x0, y0, x1, y1) around the raised hand of the span: the one that spells."""
    frames = keypoints[span.start_frame : span.end_frame + 1, :, :2]
    hands = [frames[:, side] for side in (RIGHT_HAND, LEFT_HAND)]
    centres = [np.nanmedian(hand.reshape(-1, 2), axis=0) for hand in hands]
    usable = [centre for centre in centres if not np.isnan(centre).any()]
    if not usable:
        return (0.0, 0.0, 1.0, 1.0)
    x, y = min(usable, key=lambda centre: centre[1])  # image y grows downwards
    return (x - HAND_VIEW, y - HAND_VIEW, x + HAND_VIEW, y + HAND_VIEW)


def contact_sheet(corpus_dir: Path, manifests: Path, span: FingerspellingSpan, path: Path) -> Path:
    """Frames of one spelled term (a few before and after), zoomed on the spelling hand."""
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
        view=spelling_hand_view(keypoints, span),
        title=(
            f"'{span.text}' fingerspelled in {span.recording_id}: frames {span.start_frame}-"
            f"{span.end_frame}, every {step}, zoomed on the spelling hand (span tiles marked)"
        ),
    )
