"""Wall and CPU seconds per stage, so a run says where its time went.

CPU time counts this process (all its threads: torch's included) and the child processes it
has waited for (the synth and extract pools): on a shared machine wall time alone says little.
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from asl_stem.atomic import atomic_open, write_json

log = logging.getLogger(__name__)


def cpu_seconds() -> float:
    """User + system seconds of this process and its reaped children so far."""
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class StageTime:
    """One stage's wall and CPU seconds."""

    stage: str
    wall_s: float
    cpu_s: float


@dataclass
class StageClock:
    """Times named stages in order; logs ``i/N name`` as each starts."""

    planned: int
    stages: list[StageTime] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str, detail: str = "") -> Iterator[None]:
        log.info(
            "%d/%d %s%s", len(self.stages) + 1, self.planned, name, f": {detail}" * bool(detail)
        )
        wall, cpu = time.perf_counter(), cpu_seconds()
        try:
            yield
        finally:
            self.stages.append(StageTime(name, time.perf_counter() - wall, cpu_seconds() - cpu))

    def total(self) -> StageTime:
        return StageTime(
            "total",
            sum(stage.wall_s for stage in self.stages),
            sum(stage.cpu_s for stage in self.stages),
        )

    def table(self) -> str:
        """A Markdown table: stage, wall s, CPU s, CPU / wall (how many cores it kept busy)."""
        lines = ["| stage | wall s | CPU s | CPU / wall |", "|---|---:|---:|---:|"]
        for row in [*self.stages, self.total()]:
            ratio = row.cpu_s / row.wall_s if row.wall_s > 0 else 0.0
            lines.append(f"| {row.stage} | {row.wall_s:.1f} | {row.cpu_s:.1f} | {ratio:.2f} |")
        return "\n".join(lines)

    def save(self, markdown: Path, json_path: Path, about: dict[str, object]) -> None:
        """Write the table (Markdown) and the figures with what was run (JSON)."""
        with atomic_open(markdown) as handle:
            handle.write(self.table() + "\n")
        stages = [asdict(stage) for stage in [*self.stages, self.total()]]
        write_json(json_path, {**about, "stages": stages})
