"""What to extract: one work item per manifest recording, with the record its sample carries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl_stem.atomic import read_json
from asl_stem.corpus import Corpus, FingerspellingSpan, Recording
from asl_stem.corpus.recipe import REPORT_NAME
from asl_stem.extract.frames import VideoSource

NO_KEYPOINTS_LOCATION = (
    "no keypoints/ folder is known (neither the recording nor report.json names a release: "
    "ingested from annotation files alone?): pass --keypoints-dir DIR, the folder of "
    "<recording id>.npy files"
)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One recording to turn into a sample: its video, its keypoints file, and its record.

    The record is kept as compact JSON and decoded when the sample is written: a plan holds
    an item for every recording of the corpus, and as dicts the records were most of its
    memory (``benchmarks/bench_extract_plan.py`` measures it).
    """

    key: str
    record: bytes
    video: VideoSource
    keypoints_file: str | None
    expected_frames: int
    problem: str | None = None  # set when the manifest already says it cannot be read

    @property
    def meta(self) -> dict[str, Any]:
        """The sample's JSON record (see :func:`record_meta`), decoded."""
        return json.loads(self.record)


def keypoints_file(
    recording: Recording, keypoints_dir: str | Path | None, release: str | None = None
) -> str | None:
    """``keypoints/<stem>.npy``: in ``keypoints_dir``, else the sibling of the video's folder,
    else in the ingested ``release`` (beside it when it is a zip); None when none is known."""
    name = f"{recording.id}.npy"
    if keypoints_dir is not None:
        return str(Path(keypoints_dir) / name)
    if recording.path is not None:
        return str(Path(recording.path).parent.parent / "keypoints" / name)
    zip_path = recording.zip_path or (release if release and Path(release).is_file() else None)
    if zip_path is not None:
        return str(Path(zip_path).parent / "keypoints" / name)
    if release is not None:
        return str(Path(release) / "keypoints" / name)
    return None


def ingested_release(manifest_dir: str | Path) -> str | None:
    """The release folder or zip the manifests were ingested from (``report.json``)."""
    report = Path(manifest_dir) / REPORT_NAME
    return read_json(report).get("release") if report.is_file() else None


def record_meta(
    recording: Recording, sentence: str | None, spans: list[FingerspellingSpan] | None
) -> dict[str, Any]:
    """The sample's JSON record: the manifest fields plus ``sentence`` and (if known) ``spans``.

    Spans are stored compactly (frames and text), in frame order; the shard reader turns them
    back into :class:`~asl_stem.corpus.FingerspellingSpan` records.
    """
    meta = {k: v for k, v in recording.to_dict().items() if k not in ("type", "schema")}
    meta["sentence"] = sentence
    if spans is not None:
        meta["spans"] = [
            {"start_frame": s.start_frame, "end_frame": s.end_frame, "text": s.text} for s in spans
        ]
    return meta


def build_items(
    manifest_dir: str | Path, source: str, keypoints_dir: str | Path | None = None
) -> list[WorkItem]:
    """Every recording of the manifests as a work item, sorted by id.

    ``spans`` is a list (maybe empty) when the recording was annotated (``num_spans`` set, or
    spans listed) and absent when nobody annotated it.
    """
    corpus = Corpus.from_dir(manifest_dir)
    release = ingested_release(manifest_dir) if source == "keypoints" else None
    sentences = {s.id: s.text for s in corpus.sentences}
    spans = corpus.spans.by_recording()
    items = []
    for recording in corpus.recordings:
        annotated = recording.id in spans or recording.num_spans is not None
        meta = record_meta(
            recording,
            sentences.get(recording.sentence_id),
            spans.get(recording.id, []) if annotated else None,
        )
        problem = None
        if source == "video" and not recording.has_video:
            problem = f"manifest status is {recording.status!r}: no readable video"
        items.append(
            WorkItem(
                key=recording.id,
                record=json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode(),
                video=VideoSource(recording.path, recording.zip_path, recording.zip_member),
                keypoints_file=keypoints_file(recording, keypoints_dir, release),
                expected_frames=recording.num_frames or 0,
                problem=problem,
            )
        )
    return sorted(items, key=lambda item: item.key)
