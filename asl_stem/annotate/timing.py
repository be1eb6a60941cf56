"""Frames <-> milliseconds for ELAN, in exact integer arithmetic.

ELAN stores times as whole milliseconds; the release annotates inclusive frame numbers. A span
``(s, e)`` becomes ``[ms(s), ms(e + 1))``: frame ``s`` starts at ``ms(s)`` and the span ends
where frame ``e + 1`` starts. ``ms(b)`` is the start of frame ``b`` rounded to the nearest
millisecond (halves up). Reading back, a frame belongs to an annotation when its middle lies
inside it, so a time ``t`` is the boundary ``ceil(t * fps / 1000 - 1/2)``: every ``ms(b)`` comes
back to ``b`` (the rounding error is at most half a millisecond, under half a frame at any
rate below 1000 fps), and a boundary an annotator moves by hand goes to the nearest frame.

Rates are taken as exact fractions (``29.97`` is ``2997/100``; a probed ``29.97002997...`` is
``30000/1001``), so no float error creeps in over a long recording.
"""

from __future__ import annotations

from fractions import Fraction

MAX_FPS = 480  # far above any video rate; keeps half a millisecond under half a frame
MAX_DENOMINATOR = 1001  # NTSC rates are n * 1000 / 1001


class FrameRateError(ValueError):
    """A frame rate that cannot time a video (not positive, not finite, absurdly high)."""


def frame_rate(fps: float | Fraction) -> Fraction:
    """The exact rate of ``fps``: the nearest fraction with a denominator of at most 1001."""
    if isinstance(fps, Fraction):
        rate = fps
    else:
        try:
            rate = Fraction(fps).limit_denominator(MAX_DENOMINATOR)
        except (ValueError, OverflowError, TypeError) as error:
            raise FrameRateError(
                f"frame rate {fps!r} is not a number of frames a second"
            ) from error
    if not 0 < rate <= MAX_FPS:
        raise FrameRateError(f"frame rate {fps!r} is outside (0, {MAX_FPS}] frames a second")
    return rate


def frame_to_ms(frame: int, fps: float | Fraction) -> int:
    """The millisecond at which ``frame`` starts (nearest; halves round up)."""
    rate = frame_rate(fps)
    p, q = rate.numerator, rate.denominator
    # floor(frame * 1000 / rate + 1/2) = floor((2000 * frame * q + p) / (2 * p))
    return (2000 * frame * q + p) // (2 * p)


def ms_to_frame(ms: int, fps: float | Fraction) -> int:
    """The frame boundary nearest ``ms``: frames whose middle is at or after ``ms`` start there."""
    rate = frame_rate(fps)
    p, q = rate.numerator, rate.denominator
    # ceil(ms * rate / 1000 - 1/2) = -floor((1000 * q - 2 * ms * p) / (2000 * q))
    return -((1000 * q - 2 * ms * p) // (2000 * q))


def span_to_ms(start_frame: int, end_frame: int, fps: float | Fraction) -> tuple[int, int]:
    """An inclusive frame span as ELAN's ``(begin, end)`` milliseconds."""
    return frame_to_ms(start_frame, fps), frame_to_ms(end_frame + 1, fps)


def ms_to_span(begin_ms: int, end_ms: int, fps: float | Fraction) -> tuple[int, int]:
    """ELAN's ``(begin, end)`` milliseconds as an inclusive frame span (may be empty: e < s)."""
    return ms_to_frame(begin_ms, fps), ms_to_frame(end_ms, fps) - 1
