"""What every request of the app reads: the index, the notes, the scorer, a CPU gate."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from asl_stem.termindex import IndexReader
from asl_stem.webapp.notes import NotesStore

CPU_SLOTS = 2


def cpu_gate(slots: int) -> Any:
    """At most ``slots`` requests score at once; 0 = no gate (to measure what the gate buys)."""
    return threading.BoundedSemaphore(slots) if slots > 0 else contextlib.nullcontext()


@dataclass(eq=False)  # hashed by identity: part of the key of cached article pages
class AppState:
    """What every request reads: the index, the notes, the scorer, and a gate for CPU work.

    Scoring is pure CPU under the GIL: dozens of threads scoring at once only thrash, so at
    most ``CPU_SLOTS`` requests score at a time and the rest queue (benchmarks/bench_app.py
    ``--cpu-slots 0`` measures the app without the gate).
    """

    reader: IndexReader
    notes: NotesStore
    scorer: Any
    cpu_gate: Any = field(default_factory=lambda: cpu_gate(CPU_SLOTS))


async def state_of(request: Request) -> AppState:
    """The app's state, for route functions (async: a plain attribute read needs no thread)."""
    return request.app.state.asl


State = Annotated[AppState, Depends(state_of)]
