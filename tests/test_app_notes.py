"""The notes file: committed notes survive a kill -9; concurrent writers lose nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from asl_stem.webapp.notes import NotesStore


def test_a_note_survives_kill_9_right_after_it_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    script = textwrap.dedent(
        f"""
        import sys, time
        from asl_stem.webapp.notes import NotesStore
        store = NotesStore({str(path)!r})
        for n in range(5):
            store.add("chlorophyll", f"sign {{n}}", None, None)
        print("saved", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "saved"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    notes = NotesStore(path).for_term("chlorophyll")
    assert [note["sign"] for note in notes] == [f"sign {n}" for n in range(4, -1, -1)]


def test_concurrent_writers_lose_no_note(tmp_path: Path) -> None:
    store = NotesStore(tmp_path / "notes.sqlite")

    def write(worker: int) -> None:
        for n in range(10):
            store.add(f"term{worker % 3}", f"{worker}-{n}", "https://example.org", "x")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    notes = store.for_terms(["term0", "term1", "term2"])
    assert sum(len(v) for v in notes.values()) == 80
    assert len({note["id"] for v in notes.values() for note in v}) == 80
