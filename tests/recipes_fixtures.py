"""A folder in the layout of the public fingerspelling competition, written from the synthetic
signer: metadata CSVs, one parquet per file id with Holistic columns, the character set."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from asl_stem.layout import FACE, LEFT_HAND, POSE, RIGHT_HAND
from asl_stem.synth import synthesize

# The competition's component order in its columns (not ours).
KAGGLE_ORDER = (
    ("face", FACE),
    ("left_hand", LEFT_HAND),
    ("pose", POSE),
    ("right_hand", RIGHT_HAND),
)
# (set, file id, sequence id, participant, phrase)
SEQUENCES = [
    ("train", "1019715464", 1975433633, "254", "3 creekhouse"),
    ("train", "1019715464", 1975433634, "254", "scales/kuhaylah"),
    ("train", "105143404", 1977410150, "123", "1383 william lanier"),
    ("supplemental", "33432165", 1535467051, "186", "www.freem.ne.jp"),
]
CHARACTERS = " !#$%&'()*+,-./0123456789:;=?@[_abcdefghijklmnopqrstuvwxyz~"


def holistic_columns(keypoints: np.ndarray) -> dict[str, np.ndarray]:
    """Our (T, 543, 3) layout as the competition's x_/y_/z_ columns (all x, then y, then z)."""
    columns = {}
    for axis, name in enumerate("xyz"):
        for component, part in KAGGLE_ORDER:
            for k in range(part.stop - part.start):
                columns[f"{name}_{component}_{k}"] = keypoints[:, part.start + k, axis]
    return columns


def write_competition_folder(root: Path, frame_offset: int = 17) -> dict[str, np.ndarray]:
    """Write the folder; return each sequence's keypoints (our layout) by recording key."""
    signed: dict[str, np.ndarray] = {}
    tables: dict[tuple[str, str], list[pa.Table]] = {}
    rows: dict[str, list[list[str]]] = {"train": [], "supplemental": []}
    for number, (set_name, file_id, sequence_id, participant, phrase) in enumerate(SEQUENCES):
        keypoints = synthesize(phrase, [phrase], seed=number).keypoints
        signed[f"{set_name}-{file_id}-{sequence_id}"] = keypoints
        frames = np.arange(len(keypoints)) + frame_offset
        data = {"sequence_id": np.full(len(keypoints), sequence_id), "frame": frames}
        data |= holistic_columns(keypoints)
        tables.setdefault((set_name, file_id), []).append(pa.table(data))
        folder = "train_landmarks" if set_name == "train" else "supplemental_landmarks"
        rows[set_name].append(
            [f"{folder}/{file_id}.parquet", file_id, str(sequence_id), participant, phrase]
        )
    for (set_name, file_id), parts in tables.items():
        folder = root / ("train_landmarks" if set_name == "train" else "supplemental_landmarks")
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.concat_tables(parts), folder / f"{file_id}.parquet")
    for set_name, name in (("train", "train.csv"), ("supplemental", "supplemental_metadata.csv")):
        with open(root / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["path", "file_id", "sequence_id", "participant_id", "phrase"])
            writer.writerows(rows[set_name])
    index = {char: i for i, char in enumerate(CHARACTERS)}
    (root / "character_to_prediction_index.json").write_text(json.dumps(index), "utf-8")
    return signed
