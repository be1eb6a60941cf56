"""``asl-stem annotate export``: one ELAN document per recording, pre-filled for annotators.

The corpus (a manifest folder, annotation CSVs, or the release ingested on the fly) gives each
recording's row, sentence and annotated spans; a span file (``asl-stem detect`` or ``asl-stem
terms align`` output) gives the detector's spans, scores and words. Each document links its
video: a file of a release folder by its path relative to the document, a member of the
release zip by a copy extracted next to the document under its base name. A recording without
a video gets a document without a media link (it can be linked in ELAN later). Documents that
already exist are kept, never overwritten (an annotator may have edited them), so a rerun
resumes.
"""

from __future__ import annotations

import logging
import os
import shutil
import zipfile
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from tqdm import tqdm

from asl_stem.annotate.eaf import Media, RecordingDoc, document_bytes
from asl_stem.annotate.timing import frame_rate
from asl_stem.annotate.worklist import read_recording_list
from asl_stem.atomic import atomic_open, write_json
from asl_stem.corpus import Corpus, Recording, open_corpus, prepare_asl_stem
from asl_stem.corpus.records import FingerspellingSpan, id_problem
from asl_stem.corpus.release import Release, VideoLocation
from asl_stem.corpus.spanfile import RecordingSpans, read_span_file
from asl_stem.problems import Problem, count_by_kind

log = logging.getLogger(__name__)
REPORT_NAME = "export-report.json"
FPS_SOURCES = {"video": "from the videos", "given": "given (--fps)", "spans": "from the span file"}


@dataclass
class ExportReport:
    """What an export wrote, how each document links its video and times its frames."""

    out: str
    written: int = 0
    kept: int = 0
    media: Counter = field(default_factory=Counter)
    fps_sources: Counter = field(default_factory=Counter)
    documents: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": self.out,
            "written": self.written,
            "kept": self.kept,
            "media": dict(self.media),
            "fps_sources": dict(self.fps_sources),
            "problems": count_by_kind(self.problems),
            "bad": [problem.to_dict() for problem in self.problems],
            "documents": self.documents,
        }


class VideoFinder:
    """Finds each recording's video: in ``release`` when given, else where the manifest says."""

    def __init__(self, release: str | os.PathLike[str] | None) -> None:
        self.release = Release(release) if release is not None else None
        self._zips: dict[str, zipfile.ZipFile] = {}

    def locate(self, recording: Recording) -> VideoLocation | None:
        if self.release is not None:
            return self.release.videos().get(recording.filename)
        if recording.path is not None and Path(recording.path).is_file():
            return VideoLocation(recording.filename, 0, path=recording.path)
        if recording.zip_path is not None and recording.zip_member is not None:
            return VideoLocation(
                recording.filename, 0, zip_path=recording.zip_path, zip_member=recording.zip_member
            )
        return None

    def media(self, location: VideoLocation, out: Path) -> Media:
        """Link a file in place (relative path), or extract a zip member beside the documents."""
        if location.path is not None:
            relative = Path(os.path.relpath(location.path, out)).as_posix()
            return Media(location.path, relative, "linked")
        assert location.zip_path is not None and location.zip_member is not None
        target = out / self._member_name(location)
        archive = self._open(location.zip_path)
        info = archive.getinfo(location.zip_member)
        if not (target.is_file() and target.stat().st_size == info.file_size):
            with archive.open(info) as source, atomic_open(target, "wb") as sink:
                shutil.copyfileobj(source, sink, length=1 << 20)
        return Media(str(target), f"./{target.name}", "extracted")

    @staticmethod
    def _member_name(location: VideoLocation) -> str:
        """The member's base name, checked to be a plain file name (no folders, no dots)."""
        assert location.zip_member is not None
        name = PurePosixPath(location.zip_member.replace("\\", "/")).name
        stem, suffix = os.path.splitext(name)
        problem = id_problem(stem)
        if problem is not None or suffix.lower() != ".mp4":
            raise ValueError(
                f"zip member {location.zip_member!r}: its base name {name!r} is not a safe video "
                f"file name ({problem or 'not an .mp4'}); it was not extracted"
            )
        return name

    def _open(self, zip_path: str) -> zipfile.ZipFile:
        if zip_path not in self._zips:
            self._zips[zip_path] = zipfile.ZipFile(zip_path)
        return self._zips[zip_path]

    def close(self) -> None:
        for archive in self._zips.values():
            archive.close()
        if self.release is not None:
            self.release.close()


def load_export_corpus(
    corpus: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None,
    release: str | os.PathLike[str] | None,
) -> Corpus:
    """The manifests or annotation CSVs given; else the release, ingested in memory."""
    if corpus is not None:
        return open_corpus(corpus)
    if release is None:
        raise ValueError(
            "nothing to export from: give a manifest folder (or annotation CSVs), or --release"
        )
    return prepare_asl_stem(release, probe=False, progress=False).corpus


@dataclass(frozen=True)
class _Inputs:
    """What the documents are made from: the corpus, the span file's lines and ``--fps``."""

    recordings: dict[str, Recording]
    sentences: dict[str, str]
    annotated: dict[str, tuple[FingerspellingSpan, ...]]
    lines: dict[str, RecordingSpans]
    fps: float | None

    def rate(self, recording: Recording) -> tuple[float, str] | None:
        """The recording's frame rate and where it came from (video, given, spans)."""
        line = self.lines.get(recording.id)
        if recording.fps:
            return recording.fps, "video"
        if self.fps is not None:
            return self.fps, "given"
        if line is not None and line.fps:
            return line.fps, "spans"
        return None

    def document(
        self, recording: Recording, rate: tuple[float, str], media: Media | None
    ) -> RecordingDoc:
        line = self.lines.get(recording.id)
        row = {
            "user": recording.interpreter,
            "articleName": recording.article,
            "sectionIndex": str(recording.section_index),
            "sentenceIndex": str(recording.sentence_index),
            "filename": recording.filename,
            "sentence": self.sentences.get(recording.sentence_id, ""),
        }
        return RecordingDoc(
            recording_id=recording.id,
            row=row,
            fps=rate[0],
            fps_source=rate[1],
            num_frames=recording.num_frames or (line.num_frames if line is not None else None),
            annotated=self.annotated.get(recording.id),
            detected=tuple(line.spans) if line is not None else (),
            media=media,
        )


def export_documents(
    out: str | os.PathLike[str],
    *,
    corpus: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    spans: str | os.PathLike[str] | None = None,
    release: str | os.PathLike[str] | None = None,
    recordings: str | os.PathLike[str] | Collection[str] | None = None,
    fps: float | None = None,
) -> ExportReport:
    """Write ``<recording id>.eaf`` into ``out`` for each chosen recording; see the module doc.

    :param recordings: ids to export (or a worklist / id-list file); default every recording
        with annotated or detected spans.
    :param fps: frame rate for recordings whose manifest has none (no video was probed).
    """
    if fps is not None:
        frame_rate(fps)  # refuse a bad --fps before writing anything
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    report = ExportReport(str(folder))
    data = load_export_corpus(corpus, release)
    inputs = _Inputs(
        recordings={r.id: r for r in data.recordings},
        sentences={s.id: s.text for s in data.sentences},
        annotated={i.recording_id: tuple(i.spans) for i in data.annotated_recordings()},
        lines=_span_lines(spans, report),
        fps=fps,
    )
    chosen = _chosen(recordings, inputs)
    finder = VideoFinder(release)
    if finder.release is not None:
        report.problems += finder.release.problems
    try:
        for recording_id in tqdm(chosen, desc="annotate export", unit="rec"):
            doc = _document(recording_id, inputs, finder, folder, report)
            if doc is not None:
                _write(folder, doc, report)
    finally:
        finder.close()
    write_json(folder / REPORT_NAME, report.to_dict())
    _log_summary(report)
    return report


def _span_lines(spans: str | os.PathLike[str] | None, report: ExportReport) -> dict:
    if spans is None:
        return {}
    lines, problems = read_span_file(spans)
    report.problems += problems
    return lines


def _chosen(
    recordings: str | os.PathLike[str] | Collection[str] | None, inputs: _Inputs
) -> list[str]:
    if recordings is None:
        return sorted(set(inputs.annotated) | set(inputs.lines))
    if isinstance(recordings, str | os.PathLike):
        return read_recording_list(recordings)
    return list(dict.fromkeys(recordings))


def _document(
    recording_id: str, inputs: _Inputs, finder: VideoFinder, out: Path, report: ExportReport
) -> RecordingDoc | None:
    """The document of one recording, or None (and a problem) when it cannot be made."""
    recording = inputs.recordings.get(recording_id)
    if recording is None:
        reason = f"recording {recording_id} is not in the corpus; no document written"
        report.problems.append(Problem(recording_id, None, reason, "unknown"))
        return None
    rate = inputs.rate(recording)
    if rate is None:
        reason = (
            f"{recording.id}: no frame rate (no probed video in the manifest, none in the span "
            "file, no --fps); no document written: pass --fps"
        )
        report.problems.append(Problem(recording.filename, None, reason, "no_fps"))
        return None
    try:
        location = finder.locate(recording)
        media = finder.media(location, out) if location is not None else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        report.problems.append(Problem(recording.filename, None, str(error), "media", "warning"))
        media = None
    return inputs.document(recording, rate, media)


def _write(out: Path, doc: RecordingDoc, report: ExportReport) -> None:
    target = out / f"{doc.recording_id}.eaf"
    how = doc.media.how if doc.media is not None else "none"
    report.media[how] += 1
    report.fps_sources[doc.fps_source] += 1
    report.documents.append(
        {
            "recording_id": doc.recording_id,
            "file": target.name,
            "media": how,
            "fps": doc.fps,
            "fps_source": doc.fps_source,
            "num_frames": doc.num_frames,
            "prefill": doc.prefill,
        }
    )
    if target.exists():
        report.kept += 1
        return
    with atomic_open(target, "wb") as handle:
        handle.write(document_bytes(doc))
    report.written += 1


def _log_summary(report: ExportReport) -> None:
    log.info(
        "wrote %d ELAN documents to %s (%d already there, kept as they are)",
        report.written,
        report.out,
        report.kept,
    )
    media = report.media
    log.info(
        "media: %d linked in place (relative path), %d extracted from the zip next to their "
        "documents, %d without a video (no media link; link it in ELAN if you have it)",
        media["linked"],
        media["extracted"],
        media["none"],
    )
    rates = ", ".join(f"{n} {FPS_SOURCES[k]}" for k, n in sorted(report.fps_sources.items()))
    log.info("frame rates: %s", rates or "none")
    for problem in report.problems:
        (log.warning if problem.severity == "error" else log.info)("%s", problem)
    if report.problems:
        log.warning(
            "%d problems (%s); see %s",
            len(report.problems),
            count_by_kind(report.problems),
            Path(report.out) / REPORT_NAME,
        )
