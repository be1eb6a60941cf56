"""``asl-stem annotate import``: corrected ELAN documents back into the release's annotation CSV.

Each ``.eaf`` of a folder gives one row: the release row stored in its header by ``export``,
and the spans and texts of its ``fingerspelling`` tier (and its ``fingerspelling-N`` lanes of
overlapping spans), turned back into inclusive frames (:mod:`asl_stem.annotate.timing`). A bad
document (not ELAN, not written by ``export``, no such tier, an unaligned or too short
annotation, two annotations of one tier sharing a frame, one that ends after the video) is
reported with the file and the annotation id, and left out whole: a recording is never
imported with part of its spans. The other documents are kept. Spans of different lanes may
overlap, as the release's own spans do (a warning says so).
"""

from __future__ import annotations

import csv
import logging
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

from pympi.Elan import Eaf

from asl_stem.annotate.eaf import (
    DETECTED,
    DETECTED_TEXT,
    FINGERSPELLING,
    ROW_FIELDS,
    lane_tiers,
    properties_of,
)
from asl_stem.annotate.timing import FrameRateError, frame_rate, frame_to_ms, ms_to_span
from asl_stem.atomic import atomic_open
from asl_stem.corpus.annotations import COLUMNS
from asl_stem.corpus.records import FingerspellingSpan, id_problem
from asl_stem.corpus.release import stem
from asl_stem.problems import Problem, Severity, count_by_kind

log = logging.getLogger(__name__)
ELAN_ROOT = "ANNOTATION_DOCUMENT"


@dataclass(frozen=True)
class ImportedRecording:
    """One good document: the release row it carries and the spans of its tier, in order."""

    file: str
    recording_id: str
    row: dict[str, str]
    spans: tuple[FingerspellingSpan, ...]

    def csv_row(self) -> dict[str, str]:
        """The row of the annotation CSV (``fs_span``/``fs_text`` as Python literal lists)."""
        texts = [span.text for span in self.spans]
        while texts and texts[-1] is None:  # the release pairs texts by position
            texts.pop()
        return {
            **self.row,
            "fs_span": repr([span.frames for span in self.spans]),
            "fs_text": repr([text or "" for text in texts]),
        }


@dataclass
class ImportResult:
    """The good documents, every problem, and how many files were read."""

    recordings: list[ImportedRecording] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def skipped(self) -> int:
        return self.files - len(self.recordings)


@dataclass(frozen=True)
class _Annotation:
    id: str
    tier: str
    begin_ms: int
    end_ms: int
    start_frame: int
    end_frame: int
    value: str


def read_document(
    path: str | os.PathLike[str], tier: str = FINGERSPELLING
) -> tuple[ImportedRecording | None, list[Problem]]:
    """One document's row and spans, or None when it is bad; the problems found either way."""
    file = str(path)
    try:
        root = _root_tag(file)
        eaf = Eaf(file, suppress_version_warning=True) if root == ELAN_ROOT else None
        why = f"its root element is <{root}>, not <{ELAN_ROOT}>"
    except Exception as error:  # pympi raises bare Exception (and KeyError) on foreign XML
        eaf, why = None, f"{type(error).__name__}: {error}"
    if eaf is None:
        reason = f"not an ELAN document ({why}); give the .eaf files ELAN saved"
        return None, [Problem(file, None, reason, "not_elan")]
    props = properties_of(eaf)
    head = _header(file, props)
    if isinstance(head, Problem):
        return None, [head]
    recording_id, fps, num_frames = head
    tiers = lane_tiers(eaf, tier)
    if not tiers:
        reason = f"no tier {tier!r} (tiers: {', '.join(sorted(eaf.tiers)) or 'none'})"
        return None, [Problem(file, None, reason, "no_tier")]
    annotations, problems = [], []
    for name in tiers:
        found, found_problems = _annotations(file, eaf, name, fps, num_frames)
        annotations += found
        problems += found_problems
    if any(problem.severity == "error" for problem in problems):
        return None, problems
    annotations.sort(key=lambda a: (a.start_frame, a.end_frame))
    if len(tiers) > 1:
        problems += _overlaps(file, annotations, "warning")
    spans = tuple(
        FingerspellingSpan(
            id=f"{recording_id}:{number}",
            recording_id=recording_id,
            start_frame=item.start_frame,
            end_frame=item.end_frame,
            text=item.value or None,
            text_source="annotated" if item.value else None,
            fps=float(fps),
            interpreter=props.get("user") or None,
            article=props.get("articleName") or None,
            origin=f"{file}#{item.id}",
        )
        for number, item in enumerate(annotations)
    )
    if props.get("prefill") == "detected" and _unchanged_prefill(eaf, annotations):
        reason = (
            "the fingerspelling tier still holds the detector's spans as exported; they are "
            "imported as annotations: leave the file out if nobody reviewed it"
        )
        problems.append(Problem(file, None, reason, "unchanged_prefill", "warning"))
    row = {name: props.get(name, "") for name in ROW_FIELDS}
    return ImportedRecording(file, recording_id, row, spans), problems


def _root_tag(file: str) -> str:
    """The document's root element, read without parsing the rest."""
    for _, element in ElementTree.iterparse(file, events=("start",)):
        return element.tag
    return "none"


def _header(file: str, props: dict[str, str]) -> tuple[str, Fraction, int | None] | Problem:
    """Recording id, exact frame rate and frame count from the header, or what is wrong."""
    required = ("recording_id", "fps", "sectionIndex", "sentenceIndex", "filename")
    missing = [name for name in ROW_FIELDS if name not in props]
    missing += [name for name in required if not props.get(name) and name not in missing]
    if missing:
        reason = (
            f"no asl-stem:{', asl-stem:'.join(missing)} header properties: not a document of "
            "`asl-stem annotate export` (or its header was removed); export it again"
        )
        return Problem(file, None, reason, "not_exported")
    recording_id = props["recording_id"]
    bad_id = id_problem(recording_id)
    if bad_id is None and stem(props["filename"]) != recording_id:
        bad_id = f"recording id {recording_id!r} does not match filename {props['filename']!r}"
    if bad_id is not None:
        return Problem(file, None, f"{bad_id}; export the recording again", "bad_header")
    try:
        fps = frame_rate(Fraction(props["fps"]))
        num_frames = int(props["num_frames"]) if props.get("num_frames") else None
        int(props["sectionIndex"]), int(props["sentenceIndex"])
    except (ValueError, ZeroDivisionError, FrameRateError) as error:
        reason = f"a number of the asl-stem header is not usable ({error}); export it again"
        return Problem(file, None, reason, "bad_header")
    return recording_id, fps, num_frames


def _annotations(
    file: str, eaf: Eaf, tier: str, fps: Fraction, num_frames: int | None
) -> tuple[list[_Annotation], list[Problem]]:
    """The tier's annotations in frames, in time order, with every problem they have."""
    aligned, referring = eaf.tiers[tier][0], eaf.tiers[tier][1]
    problems = []
    if referring:
        reason = f"tier {tier!r} is a dependent (not time-aligned) tier; annotate on a top tier"
        problems.append(Problem(file, None, reason, "not_aligned"))
    found = []
    for aid, (slot1, slot2, value, _) in aligned.items():
        begin, end = eaf.timeslots.get(slot1), eaf.timeslots.get(slot2)
        if begin is None or end is None:
            reason = f"annotation {aid} has an unaligned time slot; give it a begin and an end"
            problems.append(Problem(file, None, reason, "unaligned"))
            continue
        start_frame, end_frame = ms_to_span(begin, end, fps)
        where = f"annotation {aid} of tier {tier!r} ({begin}-{end} ms, {value!r})"
        if start_frame < 0 or end_frame < start_frame:
            reason = (
                f"{where} starts before 0 or covers the middle of no frame (a frame lasts "
                f"{float(1000 / fps):.1f} ms); make it longer or delete it"
            )
            problems.append(Problem(file, None, reason, "too_short"))
            continue
        if num_frames is not None and end_frame >= num_frames:
            reason = (
                f"{where} ends after the video ({num_frames} frames, "
                f"{frame_to_ms(num_frames, fps)} ms); move its end inside the video"
            )
            problems.append(Problem(file, None, reason, "past_video"))
            continue
        text = value if value and value.strip() else ""
        found.append(_Annotation(aid, tier, begin, end, start_frame, end_frame, text))
    found.sort(key=lambda a: (a.start_frame, a.end_frame))
    problems += _overlaps(file, found, "error")
    for item in found:
        if not item.value:
            reason = f"annotation {item.id} has no text; imported as a span without its text"
            problems.append(Problem(file, None, reason, "no_text", "warning"))
    return found, problems


def _overlaps(file: str, annotations: list[_Annotation], severity: Severity) -> list[Problem]:
    """One problem per annotation that shares a frame with an earlier one.

    On one tier that is an error (ELAN cannot show it, so the file was not edited there); across
    lanes a warning, since the release itself has such spans.
    """
    problems, latest = [], None
    for item in annotations:
        if latest is not None and item.start_frame <= latest.end_frame:
            advice = (
                "two spans of one tier may not share a frame: move one, or put it on a "
                "fingerspelling-2 tier"
                if severity == "error"
                else "kept: the spans are on different tiers"
            )
            reason = (
                f"annotation {item.id} of tier {item.tier!r} (frames {item.start_frame}-"
                f"{item.end_frame}) overlaps annotation {latest.id} of tier {latest.tier!r} "
                f"(frames {latest.start_frame}-{latest.end_frame}); {advice}"
            )
            problems.append(Problem(file, None, reason, "overlap", severity))
        if latest is None or item.end_frame > latest.end_frame:
            latest = item
    return problems


def _unchanged_prefill(eaf: Eaf, annotations: list[_Annotation]) -> bool:
    """Whether the tier equals the detector's spans and words exactly as exported."""
    if DETECTED not in eaf.tiers:
        return False
    words = {}
    if DETECTED_TEXT in eaf.tiers:
        words = {ref: value for ref, value, _, _ in eaf.tiers[DETECTED_TEXT][1].values()}
    detected = sorted(
        (eaf.timeslots.get(a), eaf.timeslots.get(b), (words.get(aid) or "").strip())
        for aid, (a, b, _, _) in eaf.tiers[DETECTED][0].items()
    )
    return detected == sorted((a.begin_ms, a.end_ms, a.value) for a in annotations)


def import_documents(
    folder: str | os.PathLike[str], out: str | os.PathLike[str], tier: str = FINGERSPELLING
) -> ImportResult:
    """Read every ``*.eaf`` of ``folder``; write the good ones' rows to ``out`` (atomically)."""
    files = sorted(Path(folder).glob("*.eaf"))
    if not files:
        raise FileNotFoundError(f"{folder}: no .eaf files; give the folder `annotate export` wrote")
    result = ImportResult(files=len(files))
    seen: dict[str, str] = {}
    for path in files:
        recording, problems = read_document(path, tier)
        result.problems += problems
        if recording is None:
            continue
        if recording.recording_id in seen:
            reason = (
                f"recording {recording.recording_id} is also in {seen[recording.recording_id]}; "
                "this copy was left out: keep one document per recording"
            )
            result.problems.append(Problem(str(path), None, reason, "duplicate_recording"))
            continue
        seen[recording.recording_id] = path.name
        result.recordings.append(recording)
    write_annotation_csv(out, result.recordings)
    _log_summary(result, out)
    return result


def write_annotation_csv(out: str | os.PathLike[str], recordings: list[ImportedRecording]) -> int:
    """The release's annotation CSV, one row per recording, in article/section/sentence order."""

    def order(item: ImportedRecording) -> tuple:
        row = item.row
        return (row["articleName"], int(row["sectionIndex"]), int(row["sentenceIndex"]),
                row["user"], row["filename"])  # fmt: skip

    with atomic_open(out, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in sorted(recordings, key=order):
            writer.writerow(item.csv_row())
    return len(recordings)


def _log_summary(result: ImportResult, out: str | os.PathLike[str]) -> None:
    for problem in result.problems:
        (log.warning if problem.severity == "error" else log.info)("%s", problem)
    spans = sum(len(item.spans) for item in result.recordings)
    log.info(
        "imported %d of %d documents (%d spans) into %s; %d left out",
        len(result.recordings),
        result.files,
        spans,
        out,
        result.skipped,
    )
    errors = [problem for problem in result.problems if problem.severity == "error"]
    if errors:
        log.warning("left out by kind: %s", count_by_kind(errors))
