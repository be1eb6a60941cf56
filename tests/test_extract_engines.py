"""``--source keypoints``, the local process pool and Ray: same shards whatever the engine."""

from __future__ import annotations

import numpy as np
import pytest
from extract_fixtures import recording, write_manifest

from asl_stem.assets import fetch
from asl_stem.extract.run import extract
from asl_stem.extract.work import ExtractSettings
from asl_stem.shards.catalog import read_catalog
from asl_stem.shards.reader import read_sample


def reference_release(folder, count: int):
    """A folder release: videos/<id>.mp4 names and keypoints/<id>.npy (T, 543, 2) with zeros."""
    (folder / "videos").mkdir(parents=True)
    (folder / "keypoints").mkdir()
    rng = np.random.default_rng(0)
    recordings = []
    for n in range(count):
        key = f"rec_{n}"
        values = rng.random((5 + n, 543, 2))
        values[:, 54:75] = 0.0  # the reference's absent left hand
        np.save(folder / "keypoints" / f"{key}.npy", values)
        recordings.append(
            recording(key, num_frames=5 + n, path=str(folder / "videos" / f"{key}.mp4"))
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
