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


def test_tars_are_reproducible(tmp_path):
    make_shards(tmp_path / "a")
    make_shards(tmp_path / "b")
    for name in ("shard-000000.tar", "shard-000002.tar", "index.json"):
        a, b = ((tmp_path / d / name).read_bytes() for d in "ab")
        assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()


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


def test_readers_take_an_index_url(tmp_path):
    import functools
    import http.server
    import threading

    make_shards(tmp_path, count=3)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.json"
        assert shard_urls(url)[0].endswith("/shard-000000.tar")
        local = [s["key"] for s in iter_samples(tmp_path)]
        assert [s["key"] for s in iter_samples(url)] == local
        stream = make_train_pipeline(url, samples_per_epoch=3, shuffle_buffer=2)
        assert len([s["key"] for s in stream]) == 3
    finally:
        server.shutdown()
