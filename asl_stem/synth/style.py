"""How one synthetic signer differs from another, and the real timing figures they draw from.

Timing comes from ``asl_stem/data/fs_stats.json``, measured by ``scripts/measure_fs_stats.py``
on the real ASL STEM Wiki fingerspelling annotations (412 recordings, 12 interpreters): frames
per letter (per interpreter and per span), span lengths, gaps, the signing rate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import numpy as np

Handedness = Literal["right", "left"]


@lru_cache(maxsize=1)
def fs_stats() -> dict[str, Any]:
    """The measured fingerspelling statistics (see the module docstring)."""
    text = resources.files("asl_stem").joinpath("data/fs_stats.json").read_text("utf-8")
    return json.loads(text)


def draw_from_quantiles(rng: np.random.Generator, table: dict[str, float]) -> float:
    """One draw from a distribution given by its q05..q95 figures (piecewise-linear inverse CDF).

    Below q05 and above q95 the tails are extended linearly by half the neighbouring step.
    """
    keys = ("q05", "q25", "q50", "q75", "q95")
    levels = np.array([0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0])
    inner = [table[key] for key in keys]
    low = inner[0] - 0.5 * (inner[1] - inner[0])
    high = inner[-1] + 0.5 * (inner[-1] - inner[-2])
    values = np.array([max(low, 0.0), *inner, high])
    return float(np.interp(rng.random(), levels, values))


@dataclass(frozen=True)
class SignerStyle:
    """One signer: body size and placement, handedness, speed, and how noisy the tracker is.

    Distances are in shoulder widths unless named otherwise; ``scale`` is the shoulder width as
    a fraction of the image width; ``center`` is the shoulders' midpoint in normalised image
    coordinates.
    """

    scale: float = 0.28
    center: tuple[float, float] = (0.5, 0.42)
    handedness: Handedness = "right"
    frames_per_letter: float = 5.3
    frames_per_sign: float = 16.0
    spell_offset: tuple[float, float] = (0.0, 0.0)
    tilt: float = 0.0  # radians, camera roll
    aspect: float = 1.0  # image width / height
    camera_jitter: float = 0.002  # normalised units, slow drift amplitude
    point_noise: float = 0.0025  # normalised units, per-point jitter
    hand_dropout: float = 0.006  # chance per frame that a hand's track starts a dropout
    frame_dropout: float = 0.004  # chance per frame that the whole frame is missing

    @classmethod
    def random(cls, rng: np.random.Generator) -> SignerStyle:
        """A signer drawn at random; speed from the real interpreters' frames per letter."""
        stats = fs_stats()
        return cls(
            scale=float(rng.uniform(0.22, 0.34)),
            center=(float(rng.uniform(0.42, 0.58)), float(rng.uniform(0.36, 0.48))),
            handedness="left" if rng.random() < 0.15 else "right",
            frames_per_letter=draw_from_quantiles(rng, stats["interpreter_frames_per_letter"]),
            frames_per_sign=float(rng.uniform(12.0, 22.0)),
            spell_offset=(float(rng.normal(0.0, 0.08)), float(rng.normal(0.0, 0.08))),
            tilt=float(rng.normal(0.0, 0.03)),
            camera_jitter=float(rng.uniform(0.0005, 0.004)),
            point_noise=float(rng.uniform(0.0015, 0.004)),
            hand_dropout=float(rng.uniform(0.002, 0.012)),
            frame_dropout=float(rng.uniform(0.0, 0.01)),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields, for corpus metadata."""
        return {
            "scale": round(self.scale, 4),
            "center": [round(v, 4) for v in self.center],
            "handedness": self.handedness,
            "frames_per_letter": round(self.frames_per_letter, 3),
            "frames_per_sign": round(self.frames_per_sign, 3),
        }
