"""One shard sample: a recording's keypoints and its JSON record, as tar member bytes.

The member names and array layout are the contract of docs/ARCHITECTURE.md "Shards":
``<key>.keypoints.npy`` (float16 ``(T, P, 3)``, NaN where missing) and ``<key>.json``.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import numpy as np

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.layout import NUM_BODY_POINTS, NUM_POINTS
from asl_stem.shards.errors import SampleError

KEYPOINTS_MEMBER = "keypoints.npy"
META_MEMBER = "json"
ALLOWED_POINTS = (NUM_BODY_POINTS, NUM_POINTS)
_OWN_HEADER = re.compile(
    rb"\{'descr': '<f2', 'fortran_order': False, 'shape': \((\d+), (\d+), 3\), \}"
)


def check_key(key: str) -> None:
    """Refuse keys WebDataset would split wrongly (dots) or that would escape the tar (slashes)."""
    if not key or "." in key or "/" in key or "\\" in key:
        raise SampleError(
            f"recording id {key!r} cannot be a shard key: ids must be non-empty and contain no "
            "'.', '/' or '\\'; fix the id in the manifest"
        )


def encode_sample(key: str, keypoints: np.ndarray, meta: dict[str, Any]) -> dict[str, bytes]:
    """Member suffix -> bytes for one recording; the bytes are the same for the same input."""
    check_key(key)
    if keypoints.ndim != 3 or keypoints.shape[1] not in ALLOWED_POINTS or keypoints.shape[2] != 3:
        raise SampleError(
            f"{key}: keypoints have shape {keypoints.shape}; expected (T, 75 or 543, 3)"
        )
    stored = np.ascontiguousarray(keypoints, dtype=np.float16)
    if bad := first_infinite(stored):
        raise SampleError(
            f"{key}: keypoint {bad} is infinite (or beyond float16); a keypoint is a finite "
            "value or NaN (missing): fix the keypoints given to the writer"
        )
    buffer = io.BytesIO()
    np.save(buffer, stored, allow_pickle=False)
    record = json.dumps(meta, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return {KEYPOINTS_MEMBER: buffer.getvalue(), META_MEMBER: record.encode("utf-8")}


def load_keypoints(data: bytes) -> np.ndarray:
    """The stored float16 ``(T, P, 3)`` array of a ``keypoints.npy`` member.

    Our own headers are parsed with one regex (``np.load`` spends half the reader's time in
    ``ast.literal_eval`` of the header); anything else goes through ``np.load``.
    """
    if data[:8] == b"\x93NUMPY\x01\x00":
        header_end = 10 + int.from_bytes(data[8:10], "little")
        match = _OWN_HEADER.match(data[10:header_end])
        if match:
            frames, points = (int(size) for size in match.groups())
            count = frames * points * 3
            return np.frombuffer(data, np.float16, count, header_end).reshape(frames, points, 3)
    return np.load(io.BytesIO(data), allow_pickle=False)


def stored_frames(data: bytes) -> int:
    """The frame count of a ``keypoints.npy`` member, read from its header alone."""
    if data[:8] == b"\x93NUMPY\x01\x00":
        header_end = 10 + int.from_bytes(data[8:10], "little")
        match = _OWN_HEADER.match(data[10:header_end])
        if match:
            return int(match.group(1))
    return len(load_keypoints(data))


def first_infinite(keypoints: np.ndarray) -> str | None:
    """``"frame F, point P"`` of the first infinite value; None when there is none (NaN is
    fine: it means missing)."""
    infinite = np.isinf(keypoints)
    if not infinite.any():
        return None
    frame, point, _ = np.argwhere(infinite)[0]
    return f"frame {frame}, point {point}"


def to_training(
    keypoints: np.ndarray, num_points: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """float32 values with missing points set to 0, and ``is_valid`` (T, P) from x and y."""
    if num_points is not None:
        if num_points > keypoints.shape[1]:
            raise SampleError(
                f"asked for {num_points} points but the shard stores {keypoints.shape[1]}; "
                "extract with --face for 543 points"
            )
        keypoints = keypoints[:, :num_points]
    values = keypoints.astype(np.float32)
    missing = np.isnan(values)
    is_valid = ~(missing[..., 0] | missing[..., 1])
    values[missing] = 0.0
    return values, is_valid


def decode_sample(
    key: str,
    members: dict[str, bytes],
    num_points: int | None = None,
    stored_points: int | None = None,
    where: str = "shard",
) -> dict[str, Any]:
    """The reader's dict: ``key``, ``keypoints`` float32, ``is_valid`` bool, ``meta``.

    ``stored_points`` is what the catalog's header says the arrays hold; another shape, an
    unreadable member or an infinite value is an error naming ``where`` (the shard) and the
    sample.
    """
    name = f"{where}: sample {key}"
    damaged = "the shard is damaged: run `asl-stem shards verify` and extract it again"
    try:
        keypoints = load_keypoints(members[KEYPOINTS_MEMBER])
        meta = json.loads(members[META_MEMBER])
    except KeyError as error:
        raise SampleError(f"{name} has no member {error.args[0]!r}; {damaged}") from error
    except (ValueError, EOFError) as error:
        raise SampleError(f"{name} cannot be decoded ({error}); {damaged}") from error
    if keypoints.ndim != 3 or (
        stored_points is not None and keypoints.shape[1:] != (stored_points, 3)
    ):
        raise SampleError(
            f"{name} holds keypoints of shape {keypoints.shape}; the catalog's header says "
            f"(T, {stored_points or 'P'}, 3): the shard does not belong to this catalog"
        )
    if bad := first_infinite(keypoints):
        raise SampleError(f"{name}: keypoint {bad} is infinite; {damaged}")
    values, is_valid = to_training(keypoints, num_points)
    return {"key": key, "keypoints": values, "is_valid": is_valid, "meta": meta}


def sample_spans(sample: dict[str, Any]) -> list[FingerspellingSpan] | None:
    """The annotated spans of a decoded sample, in frame order; None when not annotated."""
    spans = sample["meta"].get("spans")
    if spans is None:
        return None
    key = sample["key"]
    fps = sample["meta"].get("fps")
    return [
        FingerspellingSpan(
            id=f"{key}:{number}",
            recording_id=key,
            start_frame=int(span["start_frame"]),
            end_frame=int(span["end_frame"]),
            text=span.get("text"),
            text_source="annotated" if span.get("text") is not None else None,
            fps=float(fps) if fps else None,
        )
        for number, span in enumerate(spans)
    ]
