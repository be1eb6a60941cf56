"""Lists of recordings to annotate: the worklist ``select`` writes and ``export`` reads.

A worklist is a CSV with a ``recording_id`` column (``select`` writes one, with the reason for
each pick); ``export --recordings`` also takes a CSV with a ``filename`` column, or a plain
list of recording ids or video file names, one a line (``#`` starts a comment).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from asl_stem.atomic import atomic_open
from asl_stem.corpus.records import id_problem
from asl_stem.corpus.release import stem

WORKLIST_COLUMNS = (
    "rank",
    "recording_id",
    "filename",
    "article",
    "interpreter",
    "sentence",
    "priority",
    "uncertainty",
    "detected_spans",
    "expected_terms",
    "unseen_terms",
    "reason",
)


class RecordingListError(ValueError):
    """A recording list that names no recording, or names one that cannot be an id."""


def write_worklist(path: str | os.PathLike[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write the worklist CSV atomically; return the number of rows."""
    count = 0
    with atomic_open(path, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=WORKLIST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in WORKLIST_COLUMNS})
            count += 1
    return count


def read_recording_list(path: str | os.PathLike[str]) -> list[str]:
    """The recording ids of a worklist CSV or a plain list, in order, each once."""
    text = Path(path).read_text(encoding="utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = next(csv.reader([first]), [])
    column = next((name for name in ("recording_id", "filename") if name in header), None)
    if column is not None:
        rows = csv.DictReader(io.StringIO(text))
        named = [(number, row.get(column) or "") for number, row in enumerate(rows, start=2)]
    else:
        named = [
            (number, line.split("#", 1)[0])
            for number, line in enumerate(text.splitlines(), start=1)
        ]
    ids = []
    for number, value in named:
        if not value.strip():
            continue
        recording_id = stem(value.strip())
        problem = id_problem(recording_id)
        if problem is not None:
            raise RecordingListError(f"{path}:{number}: {problem}")
        ids.append(recording_id)
    if not ids:
        raise RecordingListError(
            f"{path} names no recording: give a worklist CSV (recording_id column) or one "
            "recording id or video file name a line"
        )
    return list(dict.fromkeys(ids))
