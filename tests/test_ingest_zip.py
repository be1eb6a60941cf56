"""The release zip is read in place: members streamed, never copied, hostile names refused."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pytest
from ingest_fixtures import build_release, write_mp4, zip_release

from asl_stem.corpus import Corpus, prepare_asl_stem
from asl_stem.corpus import probe as probe_module


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mp4(tmp_path_factory.mktemp("template") / "template.mp4")


def test_members_are_probed_from_their_stream_on_one_handle(
    tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = zip_release(build_release(tmp_path / "release", template), tmp_path / "r.zip")

    def no_temporary_files(*args, **kwargs):
        raise AssertionError("probing wrote a temporary file")

    opened = []
    real_zipfile = zipfile.ZipFile

    def counting(*args, **kwargs):
        opened.append(args[0])
        return real_zipfile(*args, **kwargs)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_temporary_files)
    monkeypatch.setattr(tempfile, "mkstemp", no_temporary_files)
    monkeypatch.setattr(probe_module.zipfile, "ZipFile", counting)
    result = prepare_asl_stem(archive, workers=4, progress=False)
    statuses = {r.status for r in result.corpus.recordings}
    assert statuses == {"ok"} and len(result.corpus.recordings) == 8
    # The directory is read once: the four probing threads share the release's own handle
    # for all eight members (a handle holds the zip's whole directory).
    assert [str(path) for path in opened] == [str(archive.resolve())]


def test_a_member_too_large_for_a_sentence_video_is_refused_unread(
    tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = zip_release(build_release(tmp_path / "release", template), tmp_path / "r.zip")
    monkeypatch.setattr(probe_module, "MAX_VIDEO_BYTES", template.stat().st_size - 1)
    result = prepare_asl_stem(archive, out=tmp_path / "out", progress=False)
    assert {r.status for r in Corpus.from_dir(tmp_path / "out").recordings} == {"unreadable"}
    reasons = [row["reason"] for row in result.report["unreadable_videos"]]
    assert all("more than any sentence video" in reason for reason in reasons)


def test_members_named_outside_the_folder_are_refused_and_nothing_is_written(
    tmp_path: Path, template: Path
) -> None:
    release = build_release(tmp_path / "release", template)
    archive = zip_release(release, tmp_path / "r.zip")
    victim = tmp_path / "victim"
    with zipfile.ZipFile(archive, "a") as zipped:
        zipped.writestr(f"../../../{victim}/videos.csv", "user,articleName\nx,y\n")
        zipped.writestr(f"{victim}/fs-annotations/evil.csv", "not,an,annotation\n")
        zipped.writestr("ASL_STEM_Wiki/../../fs-annotations/evil.csv", "a,b\n")
    result = prepare_asl_stem(archive, out=tmp_path / "out", progress=False)
    refused = [p for p in result.problems if p.kind == "unsafe_member"]
    assert len(refused) == 3 and all("outside a folder" in p.reason for p in refused)
    assert not victim.exists()
    assert result.report["recordings"] == 8  # the release's own tables were read as usual
    assert result.report["annotation_files"] == [
        f"{archive.resolve()}!ASL_STEM_Wiki/fs-annotations/train.csv"
    ]
