"""The public ASL fingerspelling competition's data (2023, CC BY 4.0) as shards with phrases.

Layout, as published: ``train.csv`` (``path, file_id, sequence_id, participant_id, phrase``),
``train_landmarks/<file_id>.parquet`` with one row per frame, the ``sequence_id`` (the pandas
index, stored as a column), a ``frame`` column and MediaPipe Holistic columns
(:mod:`asl_stem.recipes.holistic`); ``character_to_prediction_index.json`` (the competition's
characters); and the supplemental set in the same layout (``supplemental_metadata.csv``,
``supplemental_landmarks/``).

Each sequence becomes one sample: key ``<set>-<file_id>-<sequence_id>``, keypoints in our
layout (frames ordered by ``frame``, a gap in the numbers filled with missing frames), the
phrase as ``sentence`` and as one annotated span over every frame, the participant as
``interpreter`` and the set (``asl-fingerspelling-train`` or ``-supplemental``) as ``article``,
so article filters pick a set. Shards are planned and written like ``asl-stem extract``'s
(sorted keys, atomic tars, index.json after each shard), so a rerun resumes. A sequence that
cannot be read (file missing, no rows, empty phrase) is left out, with its reason, in the
index's failures; ``report.json`` counts everything, and says how often each hand's wrist was
nearer the pose wrist of its own name (the handedness check, over the sequences read by this
run: a resumed run does not read the shards it keeps).
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from asl_stem.atomic import write_json
from asl_stem.layout import NUM_BODY_POINTS, NUM_POINTS
from asl_stem.problems import Problem, count_by_kind
from asl_stem.recipes.holistic import column_names, hands_match_pose, to_layout
from asl_stem.shards.catalog import KeypointHeader
from asl_stem.shards.session import shard_session
from asl_stem.shards.writer import Failure, Sample, plan_shards, write_shard

log = logging.getLogger(__name__)

SETS = (("train", "train.csv"), ("supplemental", "supplemental_metadata.csv"))
COLUMNS = ("path", "file_id", "sequence_id", "participant_id", "phrase")
CHARACTERS_FILE = "character_to_prediction_index.json"
REPORT_NAME = "report.json"


class RecipeError(ValueError):
    """The folder is not in the competition's layout (a file or column is missing)."""


@dataclass(frozen=True)
class PhraseRow:
    """One row of a metadata CSV: where a phrase's landmarks are."""

    key: str
    set_name: str
    parquet: Path
    file_id: str
    sequence_id: int
    participant: str
    phrase: str


@dataclass
class Report:
    """What the recipe read, wrote and left out."""

    sequences: int = 0
    written: int = 0
    frames: int = 0
    gaps: int = 0
    hands_agree: int = 0
    hands_checked: int = 0
    unknown_characters: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        share = self.hands_agree / self.hands_checked if self.hands_checked else None
        return {
            "sequences": self.sequences,
            "written": self.written,
            "frames": self.frames,
            "frame_gaps_filled": self.gaps,
            "hands_nearer_own_pose_wrist": share,
            "hand_frames_checked": self.hands_checked,
            "characters_not_in_competition_set": dict(self.unknown_characters.most_common()),
            "problems": count_by_kind(self.problems),
            "bad_rows": [p.to_dict() for p in self.problems],
        }


def read_metadata(folder: Path, sets: Sequence[str]) -> tuple[list[PhraseRow], list[Problem]]:
    """The sequences of the chosen sets' CSVs; bad rows reported with file and line."""
    found, problems = [], []
    for set_name, csv_name in SETS:
        if set_name not in sets:
            continue
        path = folder / csv_name
        if not path.is_file():
            if set_name == "train":
                raise RecipeError(f"{path} not found: is {folder} the competition's folder?")
            log.info("%s not found; the %s set is skipped", path, set_name)
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise RecipeError(f"{path}: no column {missing}; expected {list(COLUMNS)}")
            for line, row in enumerate(reader, start=2):
                try:
                    sequence_id = int(row["sequence_id"])
                except ValueError:
                    reason = f"sequence_id {row['sequence_id']!r} is not a number; row left out"
                    problems.append(Problem(str(path), line, reason, "bad_sequence_id"))
                    continue
                file_id = row["file_id"].strip()
                found.append(
                    PhraseRow(
                        f"{set_name}-{file_id}-{sequence_id}",
                        set_name,
                        folder / row["path"],
                        file_id,
                        sequence_id,
                        row["participant_id"].strip(),
                        row["phrase"],
                    )
                )
    return found, problems


class LandmarkFiles:
    """Reads one parquet file at a time (sequences are planned file by file) and cuts it."""

    def __init__(self, face: bool) -> None:
        self.face = face
        self.path: Path | None = None
        self.keypoints = np.zeros((0, 0, 3), dtype=np.float32)
        self.frames = np.zeros(0, dtype=np.int64)
        self.rows: dict[int, np.ndarray] = {}

    def load(self, path: Path) -> None:
        import pyarrow.parquet as pq

        if path == self.path:
            return
        self.path, self.rows = path, {}
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found")
        wanted = ["sequence_id", "frame", *column_names(self.face)]
        schema = pq.read_schema(path)
        missing = [name for name in wanted if name not in schema.names]
        if missing:
            raise RecipeError(f"{path} has no column {missing[:3]} ({len(missing)} missing)")
        table = pq.read_table(path, columns=wanted)
        columns = {
            name: table.column(name).to_numpy(zero_copy_only=False).astype(np.float32)
            for name in wanted[2:]
        }
        self.keypoints = to_layout(columns, self.face)
        self.frames = table.column("frame").to_numpy().astype(np.int64)
        ids = table.column("sequence_id").to_numpy().astype(np.int64)
        order = np.argsort(ids, kind="stable")
        unique, starts = np.unique(ids[order], return_index=True)
        for sequence_id, rows in zip(unique, np.split(order, starts[1:]), strict=True):
            self.rows[int(sequence_id)] = rows

    def sequence(self, path: Path, sequence_id: int) -> tuple[np.ndarray, int]:
        """(T, P, 3) keypoints of one sequence in frame order, gaps filled; and the gaps."""
        self.load(path)
        rows = self.rows.get(sequence_id)
        if rows is None:
            raise KeyError(f"sequence {sequence_id} has no rows in {path}")
        rows = rows[np.argsort(self.frames[rows], kind="stable")]
        frames = self.frames[rows] - self.frames[rows].min()
        out = np.full((int(frames.max()) + 1, *self.keypoints.shape[1:]), np.nan, np.float32)
        out[frames] = self.keypoints[rows]
        return out, len(out) - len(np.unique(frames))


def _sample(item: PhraseRow, files: LandmarkFiles, report: Report) -> Sample | Failure:
    """One sequence as a shard sample, or why it cannot be one."""
    phrase = item.phrase.strip()
    if not phrase:
        return Failure(item.key, f"{item.parquet}: sequence {item.sequence_id} has no phrase")
    try:
        keypoints, gaps = files.sequence(item.parquet, item.sequence_id)
    except (OSError, KeyError, RecipeError) as error:
        return Failure(item.key, str(error).strip("'\""))
    agree, checked = hands_match_pose(keypoints)
    report.hands_agree += agree
    report.hands_checked += checked
    report.gaps += gaps
    meta = {
        "id": item.key,
        "recording_id": item.key,
        "source": "kaggle-fingerspelling",
        "file_id": item.file_id,
        "sequence_id": item.sequence_id,
        "num_frames": len(keypoints),
        "sentence": phrase,
        "article": f"asl-fingerspelling-{item.set_name}",
        "interpreter": item.participant,
        "spans": [{"start_frame": 0, "end_frame": len(keypoints) - 1, "text": phrase}],
    }
    return Sample(item.key, keypoints.astype(np.float16), meta)


def _characters(folder: Path) -> set[str] | None:
    path = folder / CHARACTERS_FILE
    if not path.is_file():
        log.warning("%s not found; phrases are not checked against the character set", path)
        return None
    return set(json.loads(path.read_text(encoding="utf-8")))


def prepare_kaggle_fingerspelling(
    folder: str | Path,
    out: str | Path,
    *,
    face: bool = False,
    shard_size: int = 256,
    sets: Sequence[str] = ("train", "supplemental"),
) -> Report:
    """Write shards (and index.json, report.json) for the competition's data in ``folder``."""
    folder, out = Path(folder), Path(out)
    items, problems = read_metadata(folder, sets)
    report = Report(sequences=len(items), problems=problems)
    allowed = _characters(folder)
    for item in items:
        if allowed is not None:
            report.unknown_characters.update(c for c in item.phrase if c not in allowed)
    by_key = {item.key: item for item in items}
    plans = plan_shards(by_key, shard_size)
    settings = {"source": "kaggle-fingerspelling", "face": face, "shard_size": shard_size}
    header = KeypointHeader(NUM_POINTS if face else NUM_BODY_POINTS)
    files = LandmarkFiles(face)

    def results(ids: Sequence[str]) -> Iterator[Sample | Failure]:
        for key in ids:
            yield _sample(by_key[key], files, report)

    with shard_session(out, plans, settings, header) as session:
        for plan in tqdm(session.pending, desc="kaggle-fingerspelling", unit="shard"):
            session.finished(write_shard(out, plan, results(plan.recording_ids)))
    catalog = session.result()
    failures = [f for entry in catalog.shards for f in entry.failures]
    report.written = sum(entry.samples for entry in catalog.shards)
    report.frames = sum(entry.frames for entry in catalog.shards)
    for failure in failures:
        problems.append(Problem(failure["recording_id"], None, failure["reason"], "unreadable"))
    write_json(out / REPORT_NAME, report.to_dict())
    return report
