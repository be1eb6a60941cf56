"""Shard writer, index, readers and verify on small real tars."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from shards_fixtures import keypoints, make_shards

from asl_stem.shards.catalog import read_catalog
from asl_stem.shards.reader import iter_samples, make_train_pipeline, read_sample, shard_urls
from asl_stem.shards.sample import SampleError
from asl_stem.shards.verify import shards_info, verify_shards
from asl_stem.shards.writer import plan_shards


def test_plan_is_sorted_chunks_and_refuses_dots():
    plans = plan_shards(["c", "a", "b"], 2)
    assert [p.recording_ids for p in plans] == [("a", "b"), ("c",)]
    assert [p.name for p in plans] == ["shard-000000.tar", "shard-000001.tar"]
    with pytest.raises(SampleError, match=r"no '\.'"):
        plan_shards(["a.b"], 2)
    with pytest.raises(ValueError, match="more than once"):
        plan_shards(["a", "a"], 2)


def test_index_and_readers_round_trip(tmp_path):
    ids = make_shards(tmp_path, count=5, shard_size=2, fail="rec_03")
    index = read_catalog(tmp_path)
    assert index.complete and [e.samples for e in index.shards] == [2, 1, 1]
    assert list(index.shards[1].failures) == [
        {"recording_id": "rec_03", "reason": "cannot decode video"}
    ]
    samples = list(iter_samples(tmp_path))
    assert [s["key"] for s in samples] == [i for i in ids if i != "rec_03"]
    first = samples[0]
    expected = keypoints(0, 10).astype(np.float32)
    assert first["keypoints"].dtype == np.float32 and first["keypoints"].shape == (10, 75, 3)
    assert not first["is_valid"][0, 33] and first["is_valid"][1, 33]
    assert first["keypoints"][0, 33, 0] == 0.0
    np.testing.assert_array_equal(first["keypoints"][1], expected[1])
    one = read_sample(tmp_path, "rec_04")
    assert one["meta"]["num_frames"] == 14 and one["keypoints"].shape[0] == 14
    with pytest.raises(KeyError):
        read_sample(tmp_path, "rec_03")


# The bytes the first (hand-written) tar writer gave for make_shards(count=5, fail="rec_03"),
# which webdataset's TarWriter and then the stdlib tarfile writer also gave: shards made by any
# of them are the same.
EARLIER_BYTES = {
    "index.json": "7f7e7523cd4d91bd35a704f691251afbae6b10487f4cefeddf13c0c75120ec18",
    "shard-000000.tar": "2cebce32f547baef5fe4230eab54ccfb5dbbbacc6b2b45626c63334146887e04",
    "shard-000001.tar": "69691f89bb437223615301aa87a19a3afad32fc77f42d96ab0e118c0ea69e83b",
    "shard-000002.tar": "8be08a0feff24a8b0644ea817ce4e7659457b5ce217b184b1271c2f7d7a37c7c",
}


def test_tars_are_reproducible_and_equal_to_the_earlier_writers(tmp_path):
    for folder in (tmp_path / "a", tmp_path / "b"):
        make_shards(folder, count=5, fail="rec_03")
        got = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
        assert got == EARLIER_BYTES


def test_train_pipeline_fixed_epoch_and_shuffle(tmp_path):
    make_shards(tmp_path, count=6, shard_size=2)
    stream = make_train_pipeline(tmp_path, samples_per_epoch=9, shuffle_buffer=4, num_points=33)
    keys = [s["key"] for s in stream]
    assert len(keys) == 9 and set(keys) <= {f"rec_{n:02d}" for n in range(6)}
    assert next(iter(stream))["keypoints"].shape[1:] == (33, 3)
    loader_keys = []
    import torch.utils.data

    loader = torch.utils.data.DataLoader(stream, batch_size=None, num_workers=2)
    loader_keys = [s["key"] for s in loader]
    assert len(loader_keys) == 10  # ceil(9 / 2) per worker


def test_train_pipeline_refuses_too_few_shards(tmp_path, monkeypatch):
    make_shards(tmp_path, count=2, shard_size=2)
    monkeypatch.setenv("RANK", "0")  # as torchrun sets them: 4 ranks, 1 shard
    monkeypatch.setenv("WORLD_SIZE", "4")
    stream = make_train_pipeline(tmp_path, samples_per_epoch=4)
    with pytest.raises(ValueError, match="cannot feed"):
        list(stream)


def test_urls_from_pattern_and_list(tmp_path):
    make_shards(tmp_path)
    pattern = str(tmp_path / "shard-{000000..000002}.tar")
    assert shard_urls(pattern) == shard_urls(tmp_path)
    assert len(list(iter_samples(shard_urls(tmp_path)[:1]))) == 2


def test_verify_finds_truncated_shard(tmp_path):
    make_shards(tmp_path)
    checked, problems = verify_shards(tmp_path)
    assert checked == 3 and problems == []
    path = tmp_path / "shard-000001.tar"
    path.write_bytes(path.read_bytes()[:700])
    checked, problems = verify_shards(tmp_path)
    assert {p.file for p in problems} == {str(path)}
    assert {p.kind for p in problems} >= {"size", "unreadable"}
    info = shards_info(tmp_path)
    assert info["samples"] == 5 and info["frames"] == sum(range(10, 15))


def test_keypoint_member_fast_path_matches_np_load():
    import io

    from asl_stem.shards.sample import encode_sample, load_keypoints

    for shape in [(0, 75, 3), (7, 543, 3)]:
        values = keypoints(3, shape[0], shape[1])
        data = encode_sample("k", values, {})["keypoints.npy"]
        np.testing.assert_array_equal(load_keypoints(data), np.load(io.BytesIO(data)))
    buffer = io.BytesIO()
    np.save(buffer, np.ones((2, 75, 3), dtype=np.float32))  # not our header: np.load reads it
    assert load_keypoints(buffer.getvalue()).dtype == np.float32
