"""The renderer: mp4 frame counts, span marking, contact sheets, missing points, the CLI."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from asl_stem.cli import main
from asl_stem.commands.render import parse_spans
from asl_stem.synth import Signing, synthesize
from asl_stem.synth.render import SPAN_COLOUR, draw_frame, render_contact_sheet, render_video


@pytest.fixture(scope="module")
def signing() -> Signing:
    return synthesize("The acid donates a proton.", ["acid"], seed=1)


def decoded_frames(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def test_video_decodes_with_every_frame(tmp_path: Path, signing: Signing) -> None:
    path = render_video(
        signing.keypoints, tmp_path / "a.mp4", fps=30, spans=signing.spans, size=(96, 80)
    )
    frames = decoded_frames(path)
    assert len(frames) == signing.num_frames
    assert frames[0].shape == (80, 96, 3)
    ((start, end),) = [span.frames for span in signing.spans]
    inside, outside = frames[(start + end) // 2], frames[max(0, start - 12)]
    orange = np.array(SPAN_COLOUR, dtype=float)
    # The span's frames carry an orange border; others do not.
    assert np.abs(inside[40, 1].astype(float) - orange).max() < 60
    assert np.abs(outside[40, 1].astype(float) - orange).max() > 60
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_contact_sheet_grid(tmp_path: Path, signing: Signing) -> None:
    path = render_contact_sheet(
        signing.keypoints, tmp_path / "s.png", frames=7, spans=signing.spans, columns=4,
        tile=(50, 40), title="acid",
    )  # fmt: skip
    image = cv2.imread(str(path))
    assert image.shape == (28 + 2 * 40, 4 * 50, 3)


def test_draw_frame_skips_missing_points_and_takes_75_points() -> None:
    points = np.full((75, 2), np.nan, dtype=np.float32)
    blank = draw_frame(points, (64, 64))
    assert (blank == blank[0, 0]).all()
    points[11:13] = [[0.3, 0.5], [0.7, 0.5]]  # the shoulders: one bone
    drawn = draw_frame(points, (64, 64))
    assert (drawn != blank).any()


def test_render_cli(tmp_path: Path, signing: Signing) -> None:
    npy = tmp_path / "k.npy"
    np.save(npy, signing.keypoints[..., :2])
    assert main(["render", str(npy), "--out", str(tmp_path / "k.png"), "--spans", "5-9:ab"]) == 0
    assert (tmp_path / "k.png").stat().st_size > 0
    assert main(["render", str(npy), "--out", str(tmp_path / "k.gif")]) == 2
    spans = parse_spans("10-40:acid, 55-70")
    assert [(s.start_frame, s.end_frame, s.text) for s in spans] == [
        (10, 40, "acid"),
        (55, 70, None),
    ]
