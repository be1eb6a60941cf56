"""CTC decoding on hand-made score matrices: greedy, beam search, the n best and the alphabet."""

from __future__ import annotations

import math

import numpy as np
import pytest

from asl_stem.recognize.alphabet import BLANK, INDEX, VOCAB_SIZE, encode, spelled, to_label
from asl_stem.recognize.ctc import beam_search, greedy_decode, nbest_probabilities


def scores(*frames: dict[str, float]) -> np.ndarray:
    """(T, V) log probabilities: each frame's listed classes ("-" is the blank), the rest of
    the mass spread evenly over the other classes."""
    out = np.zeros((len(frames), VOCAB_SIZE))
    for t, frame in enumerate(frames):
        rest = (1.0 - sum(frame.values())) / (VOCAB_SIZE - len(frame))
        out[t] = rest
        for char, p in frame.items():
            out[t, BLANK if char == "-" else INDEX[char]] = p
    return np.log(out)


def test_greedy_merges_repeats_and_drops_blanks() -> None:
    matrix = scores({"c": 0.9}, {"c": 0.9}, {"-": 0.9}, {"a": 0.9}, {"t": 0.9}, {"t": 0.9})
    assert greedy_decode(matrix) == "cat"


def test_a_double_letter_needs_a_blank_between() -> None:
    held = scores({"l": 0.9}, {"l": 0.9})
    assert greedy_decode(held) == "l"
    doubled = scores({"l": 0.9}, {"-": 0.9}, {"l": 0.9})
    assert greedy_decode(doubled) == "ll"
    assert beam_search(doubled)[0][0] == "ll"


def test_beam_sums_paths_that_greedy_splits() -> None:
    """Greedy takes the blank at each frame, but "a" has more mass over all its paths."""
    matrix = scores({"-": 0.4, "a": 0.35, "b": 0.25}, {"-": 0.4, "a": 0.35, "b": 0.25})
    assert greedy_decode(matrix) == ""
    (best, log_p), *_ = beam_search(matrix, beam=10, nbest=3)
    # P("a") = .35*.35 + .35*.4 + .4*.35 = 0.4025 > P("") = .16
    assert best == "a"
    assert math.exp(log_p) == pytest.approx(0.35 * 0.35 + 2 * 0.35 * 0.4, rel=1e-6)


def test_nbest_are_distinct_ranked_and_share_one() -> None:
    matrix = scores({"n": 0.6, "m": 0.3}, {"-": 0.8}, {"a": 0.9})
    ranked = beam_search(matrix, beam=8, nbest=3)
    texts = [text for text, _ in ranked]
    assert texts[:2] == ["na", "ma"] and len(set(texts)) == len(texts)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    shares = nbest_probabilities(ranked)
    assert sum(p for _, p in shares) == pytest.approx(1.0)
    assert shares[0][1] > shares[1][1]


def test_beam_rejects_a_wrong_shape() -> None:
    with pytest.raises(ValueError, match="frames, classes"):
        beam_search(np.zeros(5))


def test_labels_are_what_a_fingerspeller_signs() -> None:
    assert to_label("Brønsted–Lowry") == "bronsted-lowry"
    assert to_label("Feynman’s  (R1H+) z-score") == "feynman's r1h+ z-score"
    assert spelled("U.S. route 66") == "usroute66"
    assert encode("ab") == [INDEX["a"], INDEX["b"]]
    assert BLANK not in encode("any text at all 123")
