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
DELIMITERS = (",", ";", "\t", "|")


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
    delimiter: str = ","

    def describe_mapping(self) -> str:
        """Say which column each logical field came from, for logs and reports."""
        how = "header" if self.header_found else "position (no recognisable header)"
        if self.delimiter != ",":
            how += f", delimiter {self.delimiter!r}"
        pairs = ", ".join(f"{name}<-col{index}" for name, index in self.mapping.items())
        return f"{self.path}: columns by {how}: {pairs}"


def decode_text(path: str | Path, problems: list[Problem], data: bytes | None = None) -> str:
    """Decode a file (or its ``data``) as UTF-8; lines that are not UTF-8 are read as cp1252."""
    data = Path(path).read_bytes() if data is None else data
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


def _records(
    text: str, path: str, delimiter: str, problems: list[Problem]
) -> list[tuple[int, list[str]]]:
    """``(line, cells)`` per CSV record; a record the csv module refuses is reported, not fatal."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            reason = f"unreadable CSV record ({error}); the row was left out: fix or shorten it"
            problems.append(Problem(path, line, reason, "bad_csv_record"))
        else:
            records.append((line, cells))
        line = reader.line_num + 1


def _header_mapping(
    cells: list[str], columns: Sequence[str], aliases: dict[str, Sequence[str]]
) -> dict[str, int]:
    """Logical column -> index for the header cells that name one."""
    known = {normalise_header(column): column for column in columns}
    for column, names in aliases.items():
        known.update({normalise_header(name): column for name in names})
    mapping: dict[str, int] = {}
    for index, cell in enumerate(normalise_header(cell) for cell in cells):
        column = known.get(cell)
        if column is not None and column not in mapping:
            mapping[column] = index
    return mapping


def read_table(
    path: str | Path,
    columns: Sequence[str],
    aliases: dict[str, Sequence[str]],
    data: bytes | None = None,
) -> Table:
    """Read ``path`` (or its bytes ``data``; ``path`` then only names it) onto ``columns``.

    ``aliases`` maps a logical column to other header spellings. The delimiter is a comma, or
    the first of ``;``, tab and ``|`` whose header names the columns. Missing columns in the
    header raise ``ValueError`` naming them; so does a file in which no row has enough columns
    (a wrong delimiter, say). Rows keep their physical line number for error messages.
    """
    problems: list[Problem] = []
    text = decode_text(path, problems, data)
    header_found = False
    for delimiter in DELIMITERS:
        found: list[Problem] = []
        records = _records(text, str(path), delimiter, found)
        if not records:
            raise ValueError(f"{path}: the file is empty; expected columns {', '.join(columns)}")
        mapping = _header_mapping(records[0][1], columns, aliases)
        header_found = len(mapping) >= max(2, len(columns) // 2)
        if header_found:
            break
    if header_found:
        missing = [column for column in columns if column not in mapping]
        if missing:
            raise ValueError(
                f"{path}: the header lacks {', '.join(missing)} "
                f"(found: {', '.join(records[0][1])}); rename the columns or drop the header"
            )
        records = records[1:]
    else:
        delimiter = ","
        found = []
        records = _records(text, str(path), delimiter, found)
        mapping = {column: index for index, column in enumerate(columns)}
        if records and all(len(cells) < len(columns) for _, cells in records):
            guess = max(";\t|", key=text.count)
            raise ValueError(
                f"{path}: no row has the {len(columns)} columns {', '.join(columns)} and there "
                f"is no header naming them; is the delimiter {guess!r}? Save it with commas"
            )
    body = [(number, cells) for number, cells in records if any(c.strip() for c in cells)]
    return Table(str(path), mapping, header_found, body, problems + found, delimiter)


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
