"""JSON Schema of the manifest lines, derived from the record classes so it cannot drift.

``manifests/schema.json`` is this schema written out, for readers in other languages;
regenerate it with ``python -m asl_stem.corpus.schema manifests/schema.json``.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from typing import Any

from asl_stem.atomic import write_json
from asl_stem.corpus.records import KINDS, SCHEMA_VERSION

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def type_schema(hint: Any) -> dict[str, Any]:
    """The JSON Schema of one field's type hint (None is never written, so it is dropped)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(options) == 1:
            return type_schema(options[0])
        return {"anyOf": [type_schema(option) for option in options]}
    if typing.get_origin(hint) is tuple:
        return {"type": "array", "items": type_schema(typing.get_args(hint)[0])}
    return {"type": _SCALARS[hint]}


def record_schema(kind: str) -> dict[str, Any]:
    """The schema of one line of ``<kind>.jsonl.gz``."""
    record_class = KINDS[kind]
    hints = typing.get_type_hints(record_class)
    fields = dataclasses.fields(record_class)  # type: ignore[arg-type]
    properties: dict[str, Any] = {
        "type": {"const": record_class.TYPE},
        "schema": {"type": "integer", "minimum": 1, "maximum": SCHEMA_VERSION},
    }
    properties.update({field.name: type_schema(hints[field.name]) for field in fields})
    required = ["type", "schema"] + [
        field.name
        for field in fields
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    ]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def manifest_schema() -> dict[str, Any]:
    """One schema per manifest kind, keyed by file name."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"asl-stem manifests, schema {SCHEMA_VERSION}",
        "$defs": {f"{kind}.jsonl.gz": record_schema(kind) for kind in KINDS},
    }


if __name__ == "__main__":
    write_json(sys.argv[1], manifest_schema())
