"""``--source keypoints``, the local process pool and Ray: same shards whatever the engine;
the keypoints of a release without videos; temporaries of killed runs; a full disk."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from extract_fixtures import recording, write_manifest
from ingest_fixtures import ANNOTATION_HEADER, annotation_rows, write_csv

from asl_stem.assets import fetch
from asl_stem.cli import main
from asl_stem.corpus import prepare_asl_stem
from asl_stem.extract.run import extract
from asl_stem.extract.work import ExtractSettings
from asl_stem.shards.catalog import read_catalog
from asl_stem.shards.reader import read_sample


def reference_keypoints(rng: np.random.Generator, frames: int) -> np.ndarray:
    """A reference (T, 543, 2) array with the left hand absent (zeros)."""
    values = rng.random((frames, 543, 2))
    values[:, 54:75] = 0.0
    return values


def reference_release(folder, count: int, frames: int = 5):
    """A folder release: videos/<id>.mp4 names and keypoints/<id>.npy (T, 543, 2) with zeros."""
    (folder / "videos").mkdir(parents=True)
    (folder / "keypoints").mkdir()
    rng = np.random.default_rng(0)
    recordings = []
    for n in range(count):
        key = f"rec_{n}"
        np.save(folder / "keypoints" / f"{key}.npy", reference_keypoints(rng, frames + n))
        recordings.append(
            recording(key, num_frames=frames + n, path=str(folder / "videos" / f"{key}.mp4"))
        )
    return write_manifest(folder / "m", recordings)


def shard_bytes(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("shard-*.tar"))} | {
        "index.json": (folder / "index.json").read_bytes()
    }


def test_keypoints_source_reads_reference_files(tmp_path):
    manifest = reference_release(tmp_path, 3)
    summary = extract(
        manifest, tmp_path / "s", ExtractSettings("keypoints", face=True, shard_size=2)
    )
    assert (summary.samples, summary.frames, summary.failures) == (3, 5 + 6 + 7, 0)
    sample = read_sample(tmp_path / "s", "rec_1")
    reference = np.load(tmp_path / "keypoints" / "rec_1.npy")
    assert sample["keypoints"].shape == (6, 543, 3)
    assert not sample["is_valid"][:, 54:75].any() and sample["is_valid"][:, :54].all()
    np.testing.assert_allclose(sample["keypoints"][:, :54, :2], reference[:, :54], atol=1e-3)


def test_process_pool_matches_in_process(tmp_path):
    video = str(fetch("single_face.mp4"))
    manifest = write_manifest(tmp_path / "m", [recording(f"v_{n}", path=video) for n in range(2)])
    settings = ExtractSettings("video", shard_size=1, max_frames=2)
    extract(manifest, tmp_path / "one", settings)
    extract(manifest, tmp_path / "pool", settings, workers=2)
    assert shard_bytes(tmp_path / "pool") == shard_bytes(tmp_path / "one")


@pytest.fixture()
def local_ray():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_engine_on_two_local_cpus(tmp_path, local_ray):
    manifest = reference_release(tmp_path, 4)
    settings = ExtractSettings("keypoints", shard_size=1)
    extract(manifest, tmp_path / "local", settings)
    summary = extract(manifest, tmp_path / "ray", settings, engine="ray")
    assert summary.shards_written == 4 and summary.samples == 4
    assert read_catalog(tmp_path / "ray").complete
    assert shard_bytes(tmp_path / "ray") == shard_bytes(tmp_path / "local")


def test_keypoints_of_a_release_without_videos_are_found_in_it(tmp_path, caplog):
    release = tmp_path / "release"
    csv = write_csv(release / "fs-annotations" / "train.csv", annotation_rows(), ANNOTATION_HEADER)
    (release / "keypoints").mkdir()
    rng = np.random.default_rng(1)
    for row in annotation_rows():
        np.save(release / "keypoints" / row[4].replace(".mp4", ".npy"), reference_keypoints(rng, 6))
    prepare_asl_stem(release, out=tmp_path / "m", progress=False)
    summary = extract(tmp_path / "m", tmp_path / "s", ExtractSettings("keypoints", shard_size=2))
    assert (summary.samples, summary.failures) == (4, 0)

    prepare_asl_stem(None, [csv], out=tmp_path / "alone", progress=False)  # no release known
    caplog.clear()
    args = ["extract", str(tmp_path / "alone"), "--out", str(tmp_path / "s2"), "--source"]
    assert main([*args, "keypoints"]) == 2
    (message,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert "pass --keypoints-dir DIR" in message and not (tmp_path / "s2").exists()


def test_a_run_removes_the_temporaries_of_killed_runs(tmp_path):
    manifest = reference_release(tmp_path, 2)
    out = tmp_path / "s"
    out.mkdir()
    stale = [".index.json.k1l2.tmp", ".failures.jsonl.x9.tmp", ".shard-000000.tar.a1.tmp"]
    for name in stale:
        (out / name).write_bytes(b"half")
    extract(manifest, out, ExtractSettings("keypoints", shard_size=1))
    assert sorted(p.name for p in out.iterdir()) == [
        "failures.jsonl",
        "index.json",
        "shard-000000.tar",
        "shard-000001.tar",
    ]


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path):
    manifest = reference_release(tmp_path, 3, frames=200)  # a shard of about 90 KB
    out = tmp_path / "s"

    def small_disk() -> None:  # writes past 32 KB fail (EFBIG), as on a full disk (ENOSPC)
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))

    command = [sys.executable, "-m", "asl_stem.cli", "extract", str(manifest), "--out", str(out)]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    result = subprocess.run(
        [*command, "--source", "keypoints", "--shard-size", "3"],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert f"{out / 'shard-000000.tar'} cannot be written (File too large)" in errors[0]
    assert "make room on that disk" in errors[0]
    left = sorted(p.name for p in out.iterdir())
    assert not [name for name in left if name.endswith((".tmp", ".tar")) or name == "index.json"]


def test_an_extraction_worker_never_imports_torch():
    """Each spawned worker imports the extraction modules; torch (via webdataset's package)
    would add about a second and a half and most of the worker's memory, for nothing."""
    code = (
        "import sys, asl_stem.commands.extract, asl_stem.extract.work, asl_stem.extract.engines;"
        "print(sorted(m for m in ('torch', 'webdataset', 'lightning') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
