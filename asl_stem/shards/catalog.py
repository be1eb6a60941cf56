"""``SHARDS_DIR/index.json``: every finished shard with its samples, frames, bytes and sha256.

The index is rewritten atomically after each shard, with entries sorted by name and no
timestamps, so an interrupted and resumed run ends with the same bytes as one that never
stopped.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asl_stem.atomic import write_json

CATALOG_NAME = "index.json"
FORMAT = "asl-stem-shards"
SCHEMA = 1


class ShardCatalogError(ValueError):
    """index.json is missing, unreadable, or was made with other settings."""


@dataclass(frozen=True)
class ShardEntry:
    """One finished shard. ``failures`` are the planned recordings left out, with reasons."""

    name: str
    samples: int
    frames: int
    bytes: int
    sha256: str
    recordings: list[str]
    failures: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShardEntry:
        return cls(**data)


@dataclass(frozen=True)
class ShardCatalog:
    """The index: the settings the shards were made with, the plan size and the finished shards."""

    settings: dict[str, Any]
    planned: int
    shards: list[ShardEntry]

    @property
    def complete(self) -> bool:
        return len(self.shards) == self.planned

    def entry(self, name: str) -> ShardEntry | None:
        return next((entry for entry in self.shards if entry.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "schema": SCHEMA,
            "settings": self.settings,
            "planned": self.planned,
            "complete": self.complete,
            "samples": sum(entry.samples for entry in self.shards),
            "frames": sum(entry.frames for entry in self.shards),
            "failures": sum(len(entry.failures) for entry in self.shards),
            "shards": [entry.to_dict() for entry in sorted(self.shards, key=lambda e: e.name)],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = CATALOG_NAME) -> ShardCatalog:
        if data.get("format") != FORMAT or data.get("schema") != SCHEMA:
            raise ShardCatalogError(
                f"{where} is not an asl-stem shard index of schema {SCHEMA}; "
                "extract again into an empty folder"
            )
        shards = [ShardEntry.from_dict(entry) for entry in data["shards"]]
        return cls(settings=data["settings"], planned=data["planned"], shards=shards)


def catalog_path(shards_dir: str | Path) -> Path:
    return Path(shards_dir) / CATALOG_NAME


def read_catalog(shards_dir: str | Path) -> ShardCatalog:
    """The index of ``shards_dir``; a clear error when it is missing or damaged."""
    path = catalog_path(shards_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ShardCatalogError(
            f"{path} not found: is {shards_dir} a shards folder made by `asl-stem extract`?"
        ) from error
    except json.JSONDecodeError as error:
        raise ShardCatalogError(
            f"{path} is not valid JSON ({error.msg}); rerun the extraction"
        ) from error
    return ShardCatalog.from_dict(data, str(path))


def write_catalog(shards_dir: str | Path, index: ShardCatalog) -> None:
    write_json(catalog_path(shards_dir), index.to_dict())
