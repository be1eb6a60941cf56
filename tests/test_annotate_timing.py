"""Frames <-> ELAN milliseconds: exact, no off-by-one, at the rates videos come in."""

from __future__ import annotations

from fractions import Fraction

import pytest

from asl_stem.annotate.timing import (
    FrameRateError,
    frame_rate,
    frame_to_ms,
    ms_to_frame,
    ms_to_span,
    span_to_ms,
)

RATES = (25, 29.97, 30, 30000 / 1001)
LONG = 20_000  # frames: 11 to 13 minutes of video, far past any sentence


@pytest.mark.parametrize("fps", RATES)
def test_every_frame_start_comes_back_to_its_frame(fps):
    rate = frame_rate(fps)
    p, q = rate.numerator, rate.denominator
    previous = -1
    for frame in range(LONG):
        ms = frame_to_ms(frame, rate)
        # the nearest millisecond: |ms - frame * 1000 q / p| <= 1/2, in integers
        assert abs(2 * p * ms - 2000 * q * frame) <= p
        assert ms > previous  # one frame is always more than a millisecond
        assert ms_to_frame(ms, rate) == frame
        previous = ms


@pytest.mark.parametrize("fps", RATES)
def test_a_span_ends_where_the_frame_after_its_last_starts_and_comes_back(fps):
    rate = frame_rate(fps)
    for start in range(0, LONG, 7):
        for end in (start, start + 1, start + 57):
            begin_ms, end_ms = span_to_ms(start, end, rate)
            assert begin_ms == frame_to_ms(start, rate)
            assert end_ms == frame_to_ms(end + 1, rate)
            assert ms_to_span(begin_ms, end_ms, rate) == (start, end)


def test_known_values_at_each_rate():
    assert [frame_to_ms(f, 25) for f in range(4)] == [0, 40, 80, 120]
    assert [frame_to_ms(f, 30) for f in range(4)] == [0, 33, 67, 100]
    assert frame_to_ms(2997, 29.97) == 100_000  # 29.97 is exactly 2997 frames in 100 s
    assert frame_to_ms(30_000, 30000 / 1001) == 1_001_000
    assert span_to_ms(0, 0, 25) == (0, 40)  # a one-frame span lasts one frame
    assert span_to_ms(80, 100, 30) == (2667, 3367)


def test_a_boundary_moved_by_hand_goes_to_the_nearest_frame():
    # At 25 fps frame 1 covers 40-80 ms, its middle at 60 ms.
    assert ms_to_frame(59, 25) == 1 and ms_to_frame(60, 25) == 1 and ms_to_frame(61, 25) == 2
    assert ms_to_frame(21, 25) == 1 and ms_to_frame(19, 25) == 0
    assert ms_to_span(45, 118, 25) == (1, 2)  # frames 1 and 2 have their middles inside
    start, end = ms_to_span(41, 59, 25)  # shorter than half a frame around no middle
    assert end < start


def test_rates_are_exact_fractions():
    assert frame_rate(29.97) == Fraction(2997, 100)
    assert frame_rate(30000 / 1001) == Fraction(30000, 1001)
    assert frame_rate(25.0) == 25


@pytest.mark.parametrize("fps", [0, -30, float("nan"), float("inf"), 1e6, "thirty"])
def test_a_rate_that_cannot_time_a_video_is_refused(fps):
    with pytest.raises(FrameRateError):
        frame_rate(fps)
