"""The manifest folder of `asl-stem ingest`, written and read as one unit.

``DIR/<kind>.jsonl.gz`` holds one record per line for each kind of :data:`KINDS`;
``DIR/manifest.json`` is written last and names each file with its record count and sha256.
Writing first removes the old ``manifest.json``, so a crash between two kinds leaves a folder
that every reader refuses (instead of new recordings beside an older run's spans); readers
check the hashes before they trust the files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from asl_stem.assets import sha256_file
from asl_stem.atomic import read_json, read_jsonl, write_json, write_jsonl
from asl_stem.corpus.records import KINDS, SCHEMA_VERSION

MANIFEST_NAME = "manifest.json"
FORMAT = "asl-stem-manifests"


class ManifestError(ValueError):
    """A manifest folder that is missing, incomplete or changed since it was written."""


def manifest_path(manifest_dir: str | os.PathLike[str], kind: str) -> Path:
    """``DIR/<kind>.jsonl.gz`` for a kind in :data:`KINDS`."""
    if kind not in KINDS:
        raise ValueError(f"unknown manifest kind {kind!r}; expected one of {', '.join(KINDS)}")
    return Path(manifest_dir) / f"{kind}.jsonl.gz"


def iter_records(path: str | os.PathLike[str], kind: str) -> Iterator[Any]:
    """The records of one kind's file, lazily, one line at a time (bad lines name the line)."""
    record_class = KINDS[kind]
    for number, data in enumerate(read_jsonl(path), start=1):
        try:
            yield record_class.from_dict(data)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path}: record {number}: {error}") from error


def write_records(path: str | os.PathLike[str], kind: str, records: Iterable[Any]) -> int:
    """Stream records of one kind to ``path`` atomically; return how many were written."""
    record_class = KINDS[kind]

    def rows() -> Iterator[dict[str, Any]]:
        for record in records:
            if not isinstance(record, record_class):
                raise TypeError(
                    f"the {kind} manifest takes {record_class.__name__} records, "
                    f"got {type(record).__name__}"
                )
            yield record.to_dict()

    return write_jsonl(path, rows())


def write_manifests(
    manifest_dir: str | os.PathLike[str], records: dict[str, Iterable[Any]]
) -> dict[str, Any]:
    """Write every kind, then ``manifest.json`` (the commit marker); return the marker."""
    folder = Path(manifest_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_NAME).unlink(missing_ok=True)
    files = {}
    for kind in KINDS:
        path = manifest_path(folder, kind)
        count = write_records(path, kind, records.get(kind, ()))
        files[kind] = {"file": path.name, "records": count, "sha256": sha256_file(path)}
    marker = {"format": FORMAT, "schema": SCHEMA_VERSION, "files": files}
    write_json(folder / MANIFEST_NAME, marker)
    return marker


def check_manifests(manifest_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The folder's ``manifest.json`` after checking every file against it."""
    folder = Path(manifest_dir)
    marker_path = folder / MANIFEST_NAME
    if not marker_path.is_file():
        if not folder.is_dir():
            raise FileNotFoundError(
                f"{folder}: no such manifest folder; run `asl-stem ingest RELEASE --out {folder}`"
            )
        raise ManifestError(
            f"{folder} has no {MANIFEST_NAME}: its manifests are incomplete (an interrupted "
            "`asl-stem ingest`?) or from an older asl-stem; run `asl-stem ingest` again"
        )
    try:
        marker = read_json(marker_path)
    except ValueError as error:
        raise ManifestError(f"{marker_path}: {error}; run `asl-stem ingest` again") from error
    if marker.get("format") != FORMAT or marker.get("schema") != SCHEMA_VERSION:
        raise ManifestError(
            f"{marker_path}: manifests of format {marker.get('format')!r} schema "
            f"{marker.get('schema')!r}; this asl-stem reads {FORMAT!r} schema {SCHEMA_VERSION}: "
            "run `asl-stem ingest` again"
        )
    for kind, entry in marker["files"].items():
        path = folder / entry["file"]
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            raise ManifestError(
                f"{path} is missing or changed since `asl-stem ingest` wrote {marker_path}; "
                f"run `asl-stem ingest` again (the {kind} would not match the other manifests)"
            )
    return marker
