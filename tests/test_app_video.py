"""Real videos from a release folder or zip, served by recording id with HTTP range requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_fixtures import VIDEO_RECORDINGS, recording_id, write_corpus, write_video_release
from fastapi.testclient import TestClient

from asl_stem.assets import fetch
from asl_stem.termindex import IndexReader, build_index
from asl_stem.webapp import create_app

CLIP = fetch("single_face.mp4").read_bytes()


def app_over(root: Path, kind: str, compress: bool = False) -> TestClient:
    manifests = write_corpus(root)
    release = write_video_release(root, kind, compress)
    index = build_index(manifests, out=root / "index.sqlite", release=release)
    return TestClient(create_app(index, root / "notes.sqlite", allowed_hosts=["testserver"]))


@pytest.fixture(scope="module", params=["folder", "zip", "deflated zip"])
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    kind = "folder" if request.param == "folder" else "zip"
    return app_over(tmp_path_factory.mktemp("video"), kind, compress="deflated" in request.param)


def url(key: tuple[str, int, str]) -> str:
    return f"/api/recordings/{recording_id(*key)}/video"


def test_ranges_return_exactly_the_bytes_asked_for(client: TestClient) -> None:
    address = url(VIDEO_RECORDINGS[0])
    whole = client.get(address)
    assert whole.status_code == 200 and whole.content == CLIP
    assert (
        whole.headers["accept-ranges"] == "bytes" and whole.headers["content-type"] == "video/mp4"
    )
    part = client.get(address, headers={"range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == CLIP[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(CLIP)}"
    tail = client.get(address, headers={"range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == CLIP[-500:]
    rest = client.get(address, headers={"range": f"bytes={len(CLIP) - 10}-"})
    assert rest.status_code == 206 and rest.content == CLIP[-10:]
    past = client.get(address, headers={"range": f"bytes={len(CLIP)}-"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(CLIP)}"
    head = client.head(address)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(CLIP)
    cached = client.get(address, headers={"if-none-match": whole.headers["etag"]})
    assert cached.status_code == 304


def test_pages_play_video_where_there_is_one_and_skeletons_elsewhere(client: TestClient) -> None:
    with_video = recording_id(*VIDEO_RECORDINGS[0])
    assert client.get(f"/api/recordings/{with_video}").json()["has_video"] == 1
    page = client.get(f"/recordings/{with_video}").text
    assert 'data-video="1"' in page
    without = recording_id("1002", 1, "bob")
    assert 'data-video="0"' in client.get(f"/recordings/{without}").text
    assert client.get(f"/api/recordings/{without}/video").status_code == 404


def test_no_path_from_the_client_reaches_the_disk(client: TestClient) -> None:
    for bad in ("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "..", "index.sqlite"):
        assert client.get(f"/api/recordings/{bad}/video").status_code in (404, 422)


def test_the_index_records_where_each_video_is(tmp_path: Path) -> None:
    manifests = write_corpus(tmp_path)
    release = write_video_release(tmp_path, "zip")
    reader = IndexReader(build_index(manifests, out=tmp_path / "i.sqlite", release=release))
    location = reader.video(recording_id(*VIDEO_RECORDINGS[1]))
    assert location.member == f"asl-stem-wiki/videos/{recording_id(*VIDEO_RECORDINGS[1])}.mp4"
    assert not location.compressed
    data = release.read_bytes()[location.offset : location.offset + location.size]
    assert data == CLIP  # a stored member is a plain slice of the zip
    assert reader.meta()["counts"]["recordings_with_video"] == len(VIDEO_RECORDINGS)
