"""Reproducible tar files: fixed member order, mtime, owner and mode, so reruns give equal bytes."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def _member_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_tar(
    path: str | os.PathLike[str], samples: Iterable[tuple[str, dict[str, bytes]]]
) -> None:
    """Write ``(key, {suffix: bytes})`` samples in the given order, members sorted by suffix."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for key, members in samples:
            for suffix in sorted(members):
                data = members[suffix]
                tar.addfile(_member_info(f"{key}.{suffix}", len(data)), io.BytesIO(data))


def iter_tar_samples(path: str | os.PathLike[str]) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Group consecutive members ``<key>.<suffix>`` into samples; raise on a damaged tar."""
    current: str | None = None
    members: dict[str, bytes] = {}
    with tarfile.open(path, "r:") as tar:
        for info in tar:
            if not info.isfile():
                continue
            key, _, suffix = Path(info.name).name.partition(".")
            handle = tar.extractfile(info)
            data = handle.read() if handle else b""
            if len(data) != info.size:
                raise tarfile.ReadError(f"member {info.name} is cut short")
            if key != current and current is not None:
                yield current, members
                members = {}
            current = key
            members[suffix] = data
    if current is not None:
        yield current, members
