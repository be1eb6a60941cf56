"""``SHARDS_DIR/index.json``, the shard catalog: every finished shard and every sample in it.

Besides each shard's frames, bytes and sha256, the catalog holds a **sample table** (per
sample: id, article, interpreter, annotated or not, frames, spans) so that training, detection,
evaluation and leave-one-article-out choose their samples before they open a tar, and the
**keypoint header**, written once: layout name and version, point names, dimensions and what
NaN means, so an array never travels without its names and readers check it instead of
guessing the layout from the number of points. Entries are sorted by name and carry no
timestamps, so an interrupted and resumed run ends with the same bytes as one that never
stopped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asl_stem.atomic import write_json
from asl_stem.layout import LAYOUT_NAME, LAYOUT_VERSION, point_names
from asl_stem.shards.errors import ShardCatalogError

CATALOG_NAME = "index.json"
RECORD_NAME = ".finished-shards.jsonl"  # shards finished by a run still going (or killed)
FAILURES_NAME = "failures.jsonl"  # every recording left out, with its reason
FORMAT = "asl-stem-shards"
SCHEMA = 2
# A shard is a plain file inside the shards folder: no folders, no "..", no absolute names.
SHARD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.tar")


@dataclass(frozen=True)
class KeypointHeader:
    """What the ``keypoints.npy`` arrays of the shards hold: ``(T, points, 3)`` float16."""

    points: int
    layout: str = LAYOUT_NAME
    version: int = LAYOUT_VERSION
    dims: tuple[str, ...] = ("x", "y", "z")
    dtype: str = "float16"
    coordinates: str = (
        "x, y: normalised image coordinates (0..1, y down); z: MediaPipe's relative depth"
    )
    missing: str = "NaN: the landmark was not found in that frame (or z is unknown)"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "dims": list(self.dims), "point_names": point_names(self.points)}

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> KeypointHeader:
        """The header of a catalog; refused unless this asl-stem knows its layout."""
        if data.get("layout") != LAYOUT_NAME or data.get("version") != LAYOUT_VERSION:
            raise ShardCatalogError(
                f"{where}: keypoints in layout {data.get('layout')!r} version "
                f"{data.get('version')!r}; this asl-stem reads {LAYOUT_NAME!r} version "
                f"{LAYOUT_VERSION}: extract again or upgrade asl-stem"
            )
        header = cls(
            points=int(data["points"]),
            dims=tuple(data["dims"]),
            dtype=data["dtype"],
            coordinates=data["coordinates"],
            missing=data["missing"],
        )
        if data.get("point_names") != point_names(header.points):
            raise ShardCatalogError(f"{where}: the point names do not match the layout")
        return header


@dataclass(frozen=True)
class SampleRow:
    """One sample of a shard, as the catalog's table lists it."""

    id: str
    frames: int
    annotated: bool
    spans: int
    article: str | None = None
    interpreter: str | None = None

    @classmethod
    def of(cls, key: str, frames: int, meta: dict[str, Any]) -> SampleRow:
        """The row of a sample with ``frames`` frames and the JSON record ``meta``."""
        spans = meta.get("spans")
        return cls(
            key, frames, spans is not None, len(spans or ()), meta.get("article"),
            meta.get("interpreter"),
        )  # fmt: skip


@dataclass(frozen=True)
class ShardEntry:
    """One finished shard: its samples in tar order, and the planned recordings left out."""

    name: str
    frames: int
    bytes: int
    sha256: str
    rows: tuple[SampleRow, ...]
    failures: tuple[dict[str, str], ...] = field(default_factory=tuple)

    @property
    def samples(self) -> int:
        return len(self.rows)

    @property
    def recordings(self) -> list[str]:
        """Sample ids in tar order."""
        return [row.id for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "samples": self.samples,
            "frames": self.frames,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "rows": [asdict(row) for row in self.rows],
            "failures": list(self.failures),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = CATALOG_NAME) -> ShardEntry:
        """An entry of a catalog; refused when its name would lead out of the shards folder."""
        name = data["name"]
        if not isinstance(name, str) or not SHARD_NAME.fullmatch(name):
            raise ShardCatalogError(
                f"{where}: shard name {name!r} is not a .tar file inside the shards folder "
                "(the catalog was edited or damaged); extract again into an empty folder"
            )
        return cls(
            data["name"],
            data["frames"],
            data["bytes"],
            data["sha256"],
            tuple(SampleRow(**row) for row in data["rows"]),
            tuple(data["failures"]),
        )


@dataclass(frozen=True)
class ShardCatalog:
    """The settings the shards were made with, their keypoint header, the plan size and the
    finished shards."""

    settings: dict[str, Any]
    planned: int
    shards: list[ShardEntry]
    header: KeypointHeader

    @property
    def complete(self) -> bool:
        return len(self.shards) == self.planned

    def entry(self, name: str) -> ShardEntry | None:
        return next((entry for entry in self.shards if entry.name == name), None)

    def rows(self) -> Iterator[tuple[str, SampleRow]]:
        """``(shard name, row)`` for every sample, in shard and tar order."""
        for entry in self.shards:
            for row in entry.rows:
                yield entry.name, row

    def select(
        self,
        include: Collection[str] | None = None,
        exclude: Collection[str] = (),
        annotated: bool | None = None,
    ) -> list[SampleRow]:
        """The rows of samples whose article is in ``include`` (all when None) and not in
        ``exclude``, annotated or not as asked (either when None)."""
        return [
            row
            for _, row in self.rows()
            if row.article not in exclude
            and (include is None or row.article in include)
            and (annotated is None or row.annotated == annotated)
        ]

    def shards_holding(self, keys: Collection[str]) -> list[str]:
        """Names of the shards that hold any of ``keys``, in order."""
        wanted = set(keys)
        return [entry.name for entry in self.shards if any(r.id in wanted for r in entry.rows)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "schema": SCHEMA,
            "settings": self.settings,
            "keypoints": self.header.to_dict(),
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
                f"{where} is not an asl-stem shard catalog of schema {SCHEMA} (format "
                f"{data.get('format')!r}, schema {data.get('schema')!r}); extract again into "
                "an empty folder"
            )
        try:
            shards = [ShardEntry.from_dict(entry, where) for entry in data["shards"]]
            header = KeypointHeader.from_dict(data["keypoints"], where)
            return cls(data["settings"], data["planned"], shards, header)
        except (KeyError, TypeError) as error:
            raise ShardCatalogError(
                f"{where} is damaged ({error!r} missing or malformed); extract again"
            ) from error


def catalog_path(shards_dir: str | Path) -> Path:
    return Path(shards_dir) / CATALOG_NAME


def read_catalog(shards_dir: str | Path) -> ShardCatalog:
    """The catalog of ``shards_dir``; a clear error when it is missing or damaged."""
    path = catalog_path(shards_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        if (Path(shards_dir) / RECORD_NAME).exists():
            raise ShardCatalogError(
                f"{path} not found: the extraction into {shards_dir} has not finished (it is "
                "running, or was stopped): rerun the same `asl-stem extract` command"
            ) from error
        raise ShardCatalogError(
            f"{path} not found: is {shards_dir} a shards folder made by `asl-stem extract`?"
        ) from error
    except IsADirectoryError as error:
        raise ShardCatalogError(f"{path} is a folder, not the catalog; extract again") from error
    except json.JSONDecodeError as error:
        raise ShardCatalogError(
            f"{path} is not valid JSON ({error.msg}); rerun the extraction"
        ) from error
    return ShardCatalog.from_dict(data, str(path))


def write_catalog(shards_dir: str | Path, catalog: ShardCatalog) -> None:
    write_json(catalog_path(shards_dir), catalog.to_dict())
