"""Problems found in input: each names the file, the line and what to do, and is counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    ``error`` means the item was left out (and counted); ``warning`` means it was kept, repaired
    as ``reason`` says.
    """

    file: str
    line: int | None
    reason: str
    kind: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.severity}: {self.reason}"


def count_by_kind(problems: Iterable[Problem]) -> dict[str, int]:
    """How many problems of each kind, for reports."""
    return dict(sorted(Counter(problem.kind for problem in problems).items()))
