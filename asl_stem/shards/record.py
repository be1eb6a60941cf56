"""The record of finished shards, kept while an extraction runs, and resuming from it.

A run appends one line per finished shard to ``SHARDS_DIR/.finished-shards.jsonl`` (after a
line with its settings), flushed and fsynced: a few kilobytes per shard, where rewriting
index.json after every shard cost time and bytes quadratic in the shard count. index.json is
written once, at the end, and the record is then removed. A rerun after a kill rebuilds the
catalog from index.json (if an earlier run finished) and the record, keeps the shards whose
tar still matches its entry, and writes the others again; since tars are reproducible, the
result equals an uninterrupted run. The caller holds the folder's lock
(:mod:`asl_stem.shards.lock`), so no other run's files are touched.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asl_stem.assets import sha256_file
from asl_stem.atomic import atomic_open
from asl_stem.shards.catalog import (
    CATALOG_NAME,
    FAILURES_NAME,
    RECORD_NAME,
    KeypointHeader,
    ShardCatalog,
    ShardEntry,
    catalog_path,
    read_catalog,
)
from asl_stem.shards.errors import ShardCatalogError, write_errors
from asl_stem.shards.writer import ShardPlan

log = logging.getLogger(__name__)
# Temporaries of atomic writes (``.<name>.<random>.tmp``) that a killed run leaves behind.
TEMPORARIES = (
    ".shard-*.tar.*.tmp",
    *(f".{name}.*.tmp" for name in (CATALOG_NAME, FAILURES_NAME, RECORD_NAME)),
)


def remove_stale_temporaries(shards_dir: str | Path) -> int:
    """Delete the half-written files of killed runs (the caller holds the folder's lock)."""
    stale = [path for pattern in TEMPORARIES for path in Path(shards_dir).glob(pattern)]
    for path in stale:
        path.unlink()
    return len(stale)


class ShardRecord:
    """``SHARDS_DIR/.finished-shards.jsonl``: a settings line, then one entry per shard."""

    def __init__(self, shards_dir: str | Path) -> None:
        self.path = Path(shards_dir) / RECORD_NAME

    def read(self) -> tuple[dict[str, Any] | None, list[ShardEntry]]:
        """The settings line and the entries (the last one of a name wins); a line cut short
        by a kill is ignored."""
        if not self.path.exists():
            return None, []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        settings, entries = None, {}
        for number, line in enumerate(lines, start=1):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                log.warning("%s:%d is cut short (a killed run); ignored", self.path, number)
                continue
            if number == 1:
                settings = data
                continue
            try:
                entry = ShardEntry.from_dict(data, f"{self.path}:{number}")
            except (KeyError, TypeError) as error:
                raise ShardCatalogError(
                    f"{self.path}:{number} is not a shard entry ({error!r}); delete the folder "
                    "and extract again"
                ) from error
            entries[entry.name] = entry
        return settings, list(entries.values())

    def start(self, catalog: ShardCatalog) -> None:
        """Rewrite the record as ``catalog``'s settings and entries (drops torn lines)."""
        with write_errors(self.path), atomic_open(self.path) as handle:
            handle.write(json.dumps(_settings_line(catalog), sort_keys=True) + "\n")
            for entry in catalog.shards:
                handle.write(json.dumps(entry.to_dict(), sort_keys=True) + "\n")

    def append(self, entry: ShardEntry) -> None:
        """Add one finished shard, durably."""
        with write_errors(self.path), open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry.to_dict(), sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _settings_line(catalog: ShardCatalog) -> dict[str, Any]:
    return {
        "settings": catalog.settings,
        "planned": catalog.planned,
        "keypoints": catalog.header.to_dict(),
    }


def resume_catalog(
    shards_dir: str | Path,
    plans: Sequence[ShardPlan],
    settings: dict[str, Any],
    header: KeypointHeader,
) -> ShardCatalog:
    """The catalog of the shards already finished and intact; an empty one when none are.

    Raises when the folder holds shards made with other settings or another plan, since
    mixing them would give a result no single run produces.
    """
    fresh = ShardCatalog(settings, len(plans), [], header)
    entries: dict[str, ShardEntry] = {}
    if catalog_path(shards_dir).exists():
        previous = read_catalog(shards_dir)
        _check_same(shards_dir, _settings_line(previous), fresh, catalog_path(shards_dir))
        entries.update((entry.name, entry) for entry in previous.shards)
    record = ShardRecord(shards_dir)
    recorded_settings, recorded = record.read()
    if recorded_settings is not None:
        _check_same(shards_dir, recorded_settings, fresh, record.path)
    entries.update((entry.name, entry) for entry in recorded)
    by_name = {plan.name: plan for plan in plans}
    kept = []
    for entry in sorted(entries.values(), key=lambda e: e.name):
        plan = by_name.get(entry.name)
        done = set(entry.recordings) | {f["recording_id"] for f in entry.failures}
        if plan is None or done != set(plan.recording_ids):
            raise ShardCatalogError(
                f"{entry.name} in {shards_dir} holds other recordings than this run plans "
                "(did the manifest change?); use another --out folder"
            )
        path = Path(shards_dir) / entry.name
        if path.is_file() and sha256_file(path) == entry.sha256:
            kept.append(entry)
        else:
            log.warning("%s is missing or changed since it was recorded; writing it again", path)
    return ShardCatalog(settings, len(plans), kept, header)


def _check_same(
    shards_dir: str | Path, previous: dict[str, Any], fresh: ShardCatalog, where: Path
) -> None:
    if previous != _settings_line(fresh):
        raise ShardCatalogError(
            f"{where} was made with settings {previous.get('settings')} "
            f"({previous.get('planned')} shards); this run has {fresh.settings} "
            f"({fresh.planned} shards). Use another --out folder or delete {shards_dir}."
        )
