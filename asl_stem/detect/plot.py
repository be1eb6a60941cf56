"""One PNG per recording: frame probabilities over time with predicted and true spans."""

from __future__ import annotations

from pathlib import Path

from asl_stem.atomic import atomic_path
from asl_stem.detect.detection import Detection


def plot_detection(detection: Detection, path: Path) -> None:
    """Probabilities (line), predicted spans (blue, top band), true spans (green, bottom band)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seconds = 1.0 / detection.fps
    figure, axes = plt.subplots(figsize=(10, 2.6))
    frames = range(len(detection.probabilities))
    axes.plot(
        [f * seconds for f in frames],
        detection.probabilities,
        color="black",
        lw=1,
        label="P(fingerspelling)",
    )
    for span in detection.spans:
        axes.axvspan(
            span.start_frame * seconds,
            (span.end_frame + 1) * seconds,
            0.55,
            1.0,
            color="tab:blue",
            alpha=0.35,
        )
    for truth in detection.truths or []:
        axes.axvspan(
            truth.start_frame * seconds,
            (truth.end_frame + 1) * seconds,
            0.0,
            0.45,
            color="tab:green",
            alpha=0.35,
        )
    axes.set(
        xlabel="seconds",
        ylim=(0, 1),
        title=f"{detection.recording_id}  (blue: predicted, green: annotated)",
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=80)
    plt.close(figure)
