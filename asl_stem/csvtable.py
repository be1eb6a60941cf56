"""Reading the release's CSV files: tolerant of encodings, header names and column order.

Header names of the release are not certain, so each logical column has aliases; a file
without a recognisable header is read by position. The mapping used is returned so callers
can say which one it was.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from asl_stem.problems import Problem

Row = TypeVar("Row")


def normalise_header(name: str) -> str:
    """Lower-case a header, keeping letters and digits: 'video filename' -> 'videofilename'."""
    return re.sub(r"[^a-z0-9]", "", name.strip().lstrip("\ufeff").lower())


@dataclass
class Table:
    """Rows of a CSV file as dicts keyed by logical column, with their physical line numbers."""

    path: str
    mapping: dict[str, int]
    header_found: bool
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def describe_mapping(self) -> str:
        """Say which column each logical field came from, for logs and reports."""
        how = "header" if self.header_found else "position (no recognisable header)"
        pairs = ", ".join(f"{name}<-col{index}" for name, index in self.mapping.items())
        return f"{self.path}: columns by {how}: {pairs}"


def decode_text(path: str | Path, problems: list[Problem]) -> str:
    """Decode a file as UTF-8; lines that are not UTF-8 are read as cp1252 and reported."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
            problems.append(
                Problem(
                    str(path),
                    number,
                    "bytes that are not UTF-8; read as Windows-1252. Re-save the file as UTF-8.",
                    "non_utf8",
                    "warning",
                )
            )
    return "".join(lines).lstrip("\ufeff")


def read_table(
    path: str | Path, columns: Sequence[str], aliases: dict[str, Sequence[str]]
) -> Table:
    """Read ``path`` and map its columns onto ``columns`` (the release's order).

    ``aliases`` maps a logical column to other header spellings. Missing columns in the header
    raise ``ValueError`` naming them; rows keep their physical line number for error messages.
    """
    problems: list[Problem] = []
    text = decode_text(path, problems)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    line = 1
    for cells in reader:
        records.append((line, cells))
        line = reader.line_num + 1
    if not records:
        raise ValueError(f"{path}: the file is empty; expected columns {', '.join(columns)}")
    first_cells = [normalise_header(cell) for cell in records[0][1]]
    known = {normalise_header(column): column for column in columns}
    for column, names in aliases.items():
        known.update({normalise_header(name): column for name in names})
    mapping: dict[str, int] = {}
    for index, cell in enumerate(first_cells):
        column = known.get(cell)
        if column is not None and column not in mapping:
            mapping[column] = index
    header_found = len(mapping) >= max(2, len(columns) // 2)
    if header_found:
        missing = [column for column in columns if column not in mapping]
        if missing:
            raise ValueError(
                f"{path}: the header lacks {', '.join(missing)} "
                f"(found: {', '.join(records[0][1])}); rename the columns or drop the header"
            )
        records = records[1:]
    else:
        mapping = {column: index for index, column in enumerate(columns)}
    body = [(number, cells) for number, cells in records if any(c.strip() for c in cells)]
    return Table(str(path), mapping, header_found, body, problems)


def iter_fields(table: Table) -> Iterator[tuple[int, dict[str, str] | None, str]]:
    """Yield ``(line, fields, error)`` per row; ``fields`` is None when the row is too short."""
    width = max(table.mapping.values()) + 1
    for number, cells in table.rows:
        if len(cells) < width:
            yield number, None, f"row has {len(cells)} columns, expected at least {width}"
            continue
        yield number, {name: cells[index] for name, index in table.mapping.items()}, ""


def parse_rows(
    table: Table, parse: Callable[[str, int, dict[str, str], list[Problem]], Row | None]
) -> tuple[list[Row], list[Problem]]:
    """Parse every row of ``table`` with ``parse``; short rows and rejected rows are reported."""
    problems = list(table.problems)
    rows: list[Row] = []
    for line, fields, error in iter_fields(table):
        if fields is None:
            problems.append(Problem(table.path, line, error, "too_few_columns"))
            continue
        row = parse(table.path, line, fields, problems)
        if row is not None:
            rows.append(row)
    return rows, problems
