"""Memory of the extract plan: what ``asl-stem extract`` holds before its first shard.

The plan has a work item for every recording of the manifests. This writes manifests of the
real corpus's shape (``corpus_scale.py``; 64,000 recordings by default, keypoints as links to
a small pool) and measures with ``tracemalloc`` what ``plan_jobs`` keeps and its peak, then,
as the baseline in the same run, the plan with each record held as a dictionary, the form the
plan used to hold, instead of compact JSON (the records decoded and kept, their JSON not
counted). Decoded strings are each their own object, where the old dictionaries shared some
with the manifests' records, so the baseline is an upper bound of the old plan.

    python benchmarks/bench_extract_plan.py [--recordings 64000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from corpus_scale import write_corpus

from asl_stem.extract.run import plan_jobs
from asl_stem.extract.work import ExtractSettings


def measure(root: Path, recordings: int) -> None:
    """Print the plan's memory against the same records held as dictionaries."""
    manifests, _, keypoints = write_corpus(root, recordings=recordings, frames=100, points=543)
    tracemalloc.start()
    cpu = time.process_time()
    jobs = plan_jobs(manifests, ExtractSettings(source="keypoints"), keypoints)
    cpu = time.process_time() - cpu
    held, peak = tracemalloc.get_traced_memory()
    records = [item.meta for job in jobs for item in job.items]
    as_dicts = tracemalloc.get_traced_memory()[0] - held
    tracemalloc.stop()
    as_json = sum(sys.getsizeof(item.record) for job in jobs for item in job.items)
    baseline = held - as_json + as_dicts
    count = len(records)
    print(f"{count:,} recordings, {len(jobs):,} shard jobs, planned in {cpu:.1f} CPU s")
    print(f"plan held                  {held / 1e6:7.1f} MB ({held / count:,.0f} B a recording)")
    print(f"plan peak                  {peak / 1e6:7.1f} MB (the corpus while items are made)")
    each = baseline / count
    print(f"baseline, records as dicts {baseline / 1e6:7.1f} MB ({each:,.0f} B a recording)")
    print(f"plan / baseline = x{held / baseline:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=64000)
    parser.add_argument("--workdir", type=Path, help="keep the manifests here")
    args = parser.parse_args()
    if args.workdir is not None:
        measure(args.workdir, args.recordings)
        return
    with tempfile.TemporaryDirectory() as tmp:
        measure(Path(tmp), args.recordings)


if __name__ == "__main__":
    main()
