"""Detection plots: frame probabilities over time, the decoding thresholds, predicted and true
spans (the true ones labelled with the words spelled), one recording per panel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asl_stem.atomic import atomic_path
from asl_stem.detect.binarize import BinarizeConfig
from asl_stem.detect.detection import Detection

PREDICTED, ANNOTATED = "tab:blue", "tab:green"
# (bottom, height) of the span strips drawn under the probabilities' [0, 1] range
PREDICTED_STRIP, ANNOTATED_STRIP = (-0.16, 0.12), (-0.32, 0.14)


def plot_detection(
    detection: Detection, path: Path, decoding: BinarizeConfig | None = None
) -> None:
    """One PNG for one recording (see :func:`plot_detections`)."""
    plot_detections([detection], path, decoding)


def plot_detections(
    detections: Sequence[Detection],
    path: Path,
    decoding: BinarizeConfig | None = None,
    title: str = "",
) -> None:
    """One PNG, a panel per recording: probabilities (line), ``decoding``'s onset and offset
    (dashed, dotted; applied after its median smoothing), predicted spans (blue strip) and
    annotated spans (green strip, with their text) below the curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not detections:
        raise ValueError(f"no detection to plot into {path}")
    figure, panels = plt.subplots(
        len(detections), 1, figsize=(10, 2.4 * len(detections) + 0.8), squeeze=False
    )
    for axes, detection in zip(panels[:, 0], detections, strict=True):
        _draw(axes, detection, decoding)
    panels[-1, 0].set_xlabel("time in the recording (seconds)")
    handles, labels = panels[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=80)
    plt.close(figure)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("s" if count != 1 else "")


def _draw(axes: Any, detection: Detection, decoding: BinarizeConfig | None) -> None:
    """The probability curve over [0, 1]; spans in two strips below it, clear of the curve."""
    seconds = 1.0 / detection.fps
    times = [frame * seconds for frame in range(len(detection.probabilities))]
    axes.plot(times, detection.probabilities, color="black", lw=1, label="P(fingerspelling)")
    if decoding is not None:
        axes.axhline(
            decoding.onset, color="tab:red", ls="--", lw=0.8, label=f"onset {decoding.onset:g}"
        )
        if decoding.offset is not None and decoding.offset != decoding.onset:
            axes.axhline(
                decoding.offset,
                color="tab:red",
                ls=":",
                lw=0.8,
                label=f"offset {decoding.offset:g}",
            )
    predicted = [
        (s.start_frame * seconds, (s.end_frame + 1 - s.start_frame) * seconds)
        for s in detection.spans
    ]
    truths = detection.truths or []
    annotated = [
        (s.start_frame * seconds, (s.end_frame + 1 - s.start_frame) * seconds) for s in truths
    ]
    axes.broken_barh(predicted, PREDICTED_STRIP, color=PREDICTED, alpha=0.6, label="predicted")
    axes.broken_barh(annotated, ANNOTATED_STRIP, color=ANNOTATED, alpha=0.6, label="annotated")
    for truth, (start, width) in zip(truths, annotated, strict=True):
        if truth.text:
            middle = ANNOTATED_STRIP[0] + ANNOTATED_STRIP[1] / 2
            axes.text(start + width / 2, middle, truth.text, ha="center", va="center", fontsize=8)
    state = "not annotated" if detection.truths is None else _plural(len(truths), "annotated span")
    axes.set(
        ylabel="P(fingerspelling)",
        ylim=(ANNOTATED_STRIP[0] - 0.02, 1.02),
        yticks=[0, 0.25, 0.5, 0.75, 1.0],
        xlim=(0, max(times[-1] if times else 0.0, seconds)),
        title=f"{detection.recording_id}  ({state}, {len(detection.spans)} predicted)",
    )
    axes.title.set_fontsize(9)
