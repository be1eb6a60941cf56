"""Writing a planned set of shards into a folder, resumably: the one driver of every writer.

Extraction (:mod:`asl_stem.extract.run`) and the landmark-corpus recipes
(:mod:`asl_stem.recipes`) both write shards this way: lock the folder, drop a killed run's
temporaries, resume from ``index.json`` and the record of finished shards, append each shard as
it finishes, and write ``failures.jsonl`` and ``index.json`` once at the end.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl_stem.atomic import write_jsonl
from asl_stem.shards.catalog import (
    FAILURES_NAME,
    KeypointHeader,
    ShardCatalog,
    ShardEntry,
    catalog_path,
    write_catalog,
)
from asl_stem.shards.errors import write_errors
from asl_stem.shards.lock import lock_shards_dir
from asl_stem.shards.record import ShardRecord, remove_stale_temporaries, resume_catalog
from asl_stem.shards.writer import ShardPlan

log = logging.getLogger(__name__)


@dataclass
class ShardSession:
    """The shards of one run: those kept from an earlier run, and those finished now."""

    shards_dir: Path
    plans: Sequence[ShardPlan]
    catalog: ShardCatalog
    record: ShardRecord
    written: list[ShardEntry] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return len(self.catalog.shards)

    @property
    def pending(self) -> list[ShardPlan]:
        """The planned shards still to write."""
        done = {entry.name for entry in self.catalog.shards}
        return [plan for plan in self.plans if plan.name not in done]

    def finished(self, entry: ShardEntry) -> None:
        """Record a shard the moment it is written."""
        self.record.append(entry)
        self.written.append(entry)

    def result(self) -> ShardCatalog:
        """The catalog of every shard kept or written."""
        entries = sorted([*self.catalog.shards, *self.written], key=lambda e: e.name)
        return ShardCatalog(
            self.catalog.settings, self.catalog.planned, entries, self.catalog.header
        )


@contextlib.contextmanager
def shard_session(
    shards_dir: str | Path,
    plans: Sequence[ShardPlan],
    settings: dict[str, Any],
    header: KeypointHeader,
) -> Iterator[ShardSession]:
    """Hold ``shards_dir`` for one run; write failures.jsonl and index.json when it ends well."""
    folder = Path(shards_dir)
    with lock_shards_dir(folder):
        if removed := remove_stale_temporaries(folder):
            log.info("removed %d half-written files of an interrupted run", removed)
        catalog = resume_catalog(folder, plans, settings, header)
        record = ShardRecord(folder)
        record.start(catalog)
        session = ShardSession(folder, plans, catalog, record)
        log.info(
            "%d shards planned, %d already done, %d to write",
            len(plans),
            session.kept,
            len(session.pending),
        )
        yield session
        final = session.result()
        failures = [failure for entry in final.shards for failure in entry.failures]
        failures_path = folder / FAILURES_NAME
        with write_errors(failures_path):
            write_jsonl(failures_path, failures)
        with write_errors(catalog_path(folder)):
            write_catalog(folder, final)
        record.remove()
