"""What every request of the app reads: the index, the notes, the scorer, a CPU gate."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from asl_stem.termindex import IndexReader
from asl_stem.webapp.notes import NotesStore

CPU_SLOTS = 2


@dataclass
class AppState:
    """What every request reads: the index, the notes, the scorer, and a gate for CPU work.

    Scoring is pure CPU under the GIL: dozens of threads scoring at once only thrash, so at
    most ``CPU_SLOTS`` requests score at a time and the rest queue (measured: many times the
    throughput of an ungated thread pool at 50 clients).
    """

    reader: IndexReader
    notes: NotesStore
    scorer: Any
    cpu_gate: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(CPU_SLOTS)
    )


def state_of(request: Request) -> AppState:
    """The app's state, for route functions."""
    return request.app.state.asl


State = Annotated[AppState, Depends(state_of)]
