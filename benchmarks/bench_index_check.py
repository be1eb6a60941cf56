"""The app's start-up check of an index from a cold page cache: with and without a first
sequential pass over the file.

``check_index`` (run by ``asl-stem app`` before it serves) reads every page of the index:
``PRAGMA quick_check`` and the content hash, both in B-tree order. This drops the OS page cache
(``/proc/sys/vm/drop_caches``: needs root; without it the runs are warm and it says so) and
times the check without the sequential pass (the baseline, as the app started before) and with
it, alternately, ``--repeat`` times each, and prints wall and CPU seconds and the ratio.

    python benchmarks/bench_index_check.py INDEX [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from asl_stem.termindex.integrity import check_index

DROP = Path("/proc/sys/vm/drop_caches")


def drop_page_cache() -> bool:
    """Empty the OS page cache; False when this process may not."""
    os.sync()
    try:
        DROP.write_text("3\n")
    except OSError:
        return False
    return True


def timed(index: Path, warm: bool) -> tuple[float, float, bool]:
    """(wall s, CPU s, whether the cache was dropped) of one check."""
    cold = drop_page_cache()
    wall, cpu = time.perf_counter(), time.process_time()
    check_index(index, warm=warm)
    return time.perf_counter() - wall, time.process_time() - cpu, cold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    runs: dict[bool, list[tuple[float, float, bool]]] = {False: [], True: []}
    for _ in range(args.repeat):
        for warm in (False, True):
            runs[warm].append(timed(args.index, warm))
    size = args.index.stat().st_size / 1e6
    cold = all(run[2] for group in runs.values() for run in group)
    dropped = "dropped" if cold else "NOT dropped (not root?)"
    print(f"{args.index} ({size:.0f} MB), page cache {dropped} before each run")
    walls = {}
    for warm, name in ((False, "check alone (baseline)"), (True, "sequential pass, then check")):
        walls[warm] = statistics.median(run[0] for run in runs[warm])
        cpu = statistics.median(run[1] for run in runs[warm])
        print(f"  {name:<30}{walls[warm]:8.1f} s wall{cpu:8.1f} s CPU  (median of {args.repeat})")
    print(f"  baseline / sequential pass: x{walls[False] / walls[True]:.1f} wall")


if __name__ == "__main__":
    main()
