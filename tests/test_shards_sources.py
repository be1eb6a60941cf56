"""Shards from anywhere (folder, index.json, file://, brace pattern, http) and damage refused."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from shards_fixtures import make_shards, serve_folder

from asl_stem.cli import main
from asl_stem.shards.errors import SampleError, ShardCatalogError, ShardReadError
from asl_stem.shards.reader import iter_samples, make_train_pipeline, sample_rows, source_catalog
from asl_stem.shards.verify import verify_shards

PATTERN = "shard-{000000..000002}.tar"


def keys(source, **options) -> list[str]:
    return [sample["key"] for sample in iter_samples(source, **options)]


def test_every_form_of_a_source_reads_the_same_samples_with_the_catalog(tmp_path):
    folder = tmp_path / "shards"
    make_shards(folder, count=5)
    expected = keys(folder)
    local = [
        str(folder),
        str(folder / "index.json"),
        folder.as_uri(),
        folder.as_uri() + "/index.json",
        str(folder / PATTERN),
        folder.as_uri() + "/" + PATTERN,
        [str(folder / "shard-000000.tar"), str(folder / "shard-000001.tar")],
    ]
    with serve_folder(folder) as base:
        remote = [base, base + "index.json", base + PATTERN]
        for source in local + remote:
            assert source_catalog(source) is not None, source  # also the one beside a pattern
            assert keys(source) == (expected if isinstance(source, str) else keys(source))
        assert keys(local[-1]) == expected[:4] and keys([base + "shard-000002.tar"]) == ["rec_04"]
        assert keys(base + PATTERN, keys={"rec_04"}) == ["rec_04"]
        stream = make_train_pipeline(base + PATTERN, samples_per_epoch=3, shuffle_buffer=2)
        assert len([sample["key"] for sample in stream]) == 3
        rows, header = sample_rows(base + PATTERN)
        assert [row.id for row in rows] == expected and header.points == 75


def test_tars_without_a_catalog_beside_them_are_read_from_their_members(tmp_path):
    make_shards(tmp_path / "shards", count=3)
    bare = tmp_path / "bare"
    bare.mkdir()
    for tar in (tmp_path / "shards").glob("shard-*.tar"):
        shutil.copyfile(tar, bare / tar.name)
    pattern = str(bare / "shard-{000000..000001}.tar")
    assert source_catalog(pattern) is None
    rows, header = sample_rows(pattern)
    assert [row.id for row in rows] == keys(tmp_path / "shards") and header is None
    with serve_folder(bare) as base:  # no index.json on the server: a 404, not an error
        assert keys(base + "shard-{000000..000001}.tar") == [row.id for row in rows]
        with pytest.raises(ShardCatalogError, match=r"index\.json cannot be read.*HTTP 404"):
            keys(base + "index.json")
    with pytest.raises(ShardCatalogError, match="not found"):
        keys(tmp_path / "nowhere")


def test_a_pattern_naming_a_shard_the_catalog_lacks_is_refused(tmp_path):
    make_shards(tmp_path, count=3)  # two shards; the pattern names three
    with pytest.raises(ShardCatalogError, match=r"shard-000002\.tar is not in the index.json"):
        keys(str(tmp_path / PATTERN))


def flip_a_keypoint_byte(path, sample: int = 0) -> None:
    """Change one byte inside the keypoints array of a sample (not in any header)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"\x93NUMPY") + 200
    for _ in range(sample):
        at = data.index(b"\x93NUMPY", at) + 200
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_bit_flip_is_refused_before_any_sample_of_the_shard_is_used(tmp_path):
    make_shards(tmp_path, count=4)
    flip_a_keypoint_byte(tmp_path / "shard-000001.tar")
    seen = []
    with pytest.raises(ShardReadError, match=r"shard-000001\.tar differs .*sha256.*verify"):
        for sample in iter_samples(tmp_path):
            seen.append(sample["key"])
    assert seen == ["rec_00", "rec_01"]  # the first shard's; none of the damaged one
    assert len(keys(tmp_path, verify=False)) == 4  # unhashed reading cannot see a bit flip


def test_a_truncated_shard_is_one_error_naming_it_hashed_or_not(tmp_path):
    make_shards(tmp_path, count=4)
    path = tmp_path / "shard-000001.tar"
    data = path.read_bytes()
    second = data.index(b"rec_03.json")  # cut at a member boundary: tar reading sees no error
    path.write_bytes(data[:second])
    for verify in (True, False):
        with pytest.raises(ShardReadError, match=r"shard-000001\.tar .*(truncated|bytes)"):
            keys(tmp_path, verify=verify)
    path.write_bytes(data[: data.index(b"\x93NUMPY") + 300])  # cut inside an array
    with pytest.raises(ShardReadError, match=r"shard-000001\.tar"):
        keys(tmp_path, verify=False)


def test_infinite_keypoints_are_refused_with_the_sample_id(tmp_path):
    make_shards(tmp_path, count=2, shard_size=2)
    path = tmp_path / "shard-000000.tar"
    data = bytearray(path.read_bytes())
    array = data.index(b"\x93NUMPY", data.index(b"rec_01.keypoints.npy"))
    first = array + 10 + int.from_bytes(data[array + 8 : array + 10], "little")
    data[first : first + 2] = np.float16(np.inf).tobytes()  # rec_01, frame 0, point 0, x
    path.write_bytes(bytes(data))
    # as if another tool had written it: the catalog agrees with the bytes
    index = json.loads((tmp_path / "index.json").read_text())
    from asl_stem.assets import sha256_file

    index["shards"][0]["sha256"] = sha256_file(path)
    (tmp_path / "index.json").write_text(json.dumps(index))
    with pytest.raises(SampleError, match=r"sample rec_01: keypoint frame 0, point 0 is infinite"):
        keys(tmp_path)
    _, problems = verify_shards(tmp_path)
    assert [p.kind for p in problems] == ["unreadable"] and "rec_01" in problems[0].reason


def test_verify_a_folder_in_place_of_a_shard_is_one_problem(tmp_path):
    make_shards(tmp_path, count=4)
    shard = tmp_path / "shard-000001.tar"
    shard.unlink()
    shard.mkdir()
    checked, problems = verify_shards(tmp_path)
    assert checked == 2 and [(p.file, p.kind) for p in problems] == [(str(shard), "folder")]
    assert "remove it" in problems[0].reason
    assert main(["shards", "verify", str(tmp_path)]) == 1


def test_catalog_names_leading_outside_the_folder_are_refused(tmp_path, caplog):
    make_shards(tmp_path / "s", count=4)
    (tmp_path / "x.tar").write_bytes((tmp_path / "s" / "shard-000001.tar").read_bytes())
    catalog = json.loads((tmp_path / "s" / "index.json").read_text())
    for name in ("../x.tar", str(tmp_path / "x.tar"), "sub/shard-000001.tar"):
        catalog["shards"][1]["name"] = name
        (tmp_path / "s" / "index.json").write_text(json.dumps(catalog))
        caplog.clear()
        assert main(["shards", "verify", str(tmp_path / "s")]) == 2
        (message,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
        assert name in message and "index.json" in message and "\n" not in message
        with pytest.raises(ShardCatalogError, match=r"not a \.tar file inside the shards folder"):
            keys(tmp_path / "s")
