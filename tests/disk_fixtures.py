"""Small real disks for the disk tests: a tmpfs (full at a size, or read-only) in a user and
mount namespace of its own, so nothing outside the test sees it."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def in_small_filesystem(script: str, options: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (bash) with $DISK a tmpfs mounted with ``options``, in its own namespace."""
    command = [
        "unshare", "-rm", "bash", "-c",
        f'DISK=$(mktemp -d) && mount -t tmpfs -o {options} tmpfs "$DISK" && {script}',
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    return in_small_filesystem("true", "size=64k").returncode == 0


needs_mount = pytest.mark.skipif(
    not _can_mount(), reason="needs unshare and tmpfs mounts (a user namespace) to make disks"
)
