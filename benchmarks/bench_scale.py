"""Every stage at growing corpus sizes: time, CPU, peak memory, I/O and growth exponents.

For each ``--sizes`` (recordings, in the real corpus's shape: 254 articles, 37 interpreters,
recordings of ``--frames`` frames on average, detected spans on every one; see
``corpus_scale.py``) it writes the corpus in the release's layout (one zip of ``videos.csv``
and a tiny real mp4 a recording) and runs each stage as its own ``asl-stem`` process:

- ``ingest``: the zip, with probing (every member read in place, last frame decoded);
- ``extract``: ``--source keypoints`` (reference ``<id>.npy`` files of the recordings' full
  length; MediaPipe on real video is measured by ``bench_extract.py``, and at the corpus's size
  would take CPU-days here);
- ``verify``: ``shards verify`` (every shard's sha256, every sample read);
- ``index``: ``index build`` with the detected spans, the shards' keypoints and the zip;
- ``app``: ``asl-stem app`` until it answers (its index check reads the whole index): the
  row's wall and CPU seconds are the start's; then ``--search-seconds`` of ``wrk`` on
  ``/api/search`` at 10 connections (p50/p99; ``wrk`` is Debian's package).

Per stage and size it prints wall and CPU seconds, peak RSS (``ru_maxrss`` of the stage's
process and its children, from ``wait4``), bytes read and written through system calls
(``rchar``/``wchar`` of ``/proc/self/io``, into which a reaped child's counts are added), and,
against the previous size, the growth exponent ``log(t2/t1)/log(n2/n1)`` of wall and CPU time
(the baseline is 1.0, linear) and the ratio of peak RSS (flat is 1.0).

    python benchmarks/bench_scale.py [--sizes 1000,4000] [--frames 500] [--workdir DIR]
    python benchmarks/bench_scale.py --sizes 1000,8000,64000 --frames 100 --workdir /tmp/scale
    python benchmarks/bench_scale.py --sizes 1000,8000,64000 --stages ingest        # one stage
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "asl_stem.cli"]
STAGES = ("ingest", "extract", "verify", "index", "app")


def io_counters() -> dict[str, int]:
    """This process's I/O counters, reaped children included."""
    lines = Path("/proc/self/io").read_text().splitlines()
    return {key: int(value) for key, value in (line.split(":") for line in lines)}


class Stage:
    """One stage's process: started, then reaped with ``wait4`` for its resource usage."""

    def __init__(self, command: list[str], log: Path) -> None:
        self.log = log
        self.io = io_counters()
        self.began = time.monotonic()
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)

    def finish(self) -> dict[str, float]:
        """Reap the process; its wall, CPU, peak RSS and bytes. A failed stage raises."""
        _, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - self.began
        io = io_counters()
        if self.process.returncode not in (0, -15):
            tail = self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{self.process.args} failed ({self.process.returncode}):\n{tail}")
        return {
            "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024,
            "read_mb": (io["rchar"] - self.io["rchar"]) / 1e6,
            "written_mb": (io["wchar"] - self.io["wchar"]) / 1e6,
        }


def run_stage(command: list[str], log: Path) -> dict[str, float]:
    return Stage(command, log).finish()


def generate(root: Path, recordings: int, frames: int) -> tuple[Path, Path, Path]:
    """The release zip, the detector span file and the keypoint folder of one size."""
    from corpus_scale import write_corpus, write_release

    zipped = root / "release.zip"
    manifests, spans, keypoints = write_corpus(root / "generated", recordings=recordings,
                                               frames=frames, points=543)  # fmt: skip
    assert keypoints is not None
    write_release(root, manifests, frames)
    return zipped, spans, keypoints


def app_stage(index: Path, root: Path, search_seconds: float) -> dict[str, float]:
    """The app's start (wall and CPU until it answers), then a short wrk search at 10 conns.

    Peak RSS and I/O cover the whole life, searches included (less wrk's own socket reads).
    """
    from bench_app import HOST, free_port, run_wrk, server_cpu, workload

    port = free_port()
    command = [*CLI, "app", "--index", str(index), "--notes", str(root / "notes.sqlite"),
               "--host", HOST, "--port", str(port)]  # fmt: skip
    stage = Stage(command, root / "app.log")
    base = f"http://{HOST}:{port}"
    started = wait_ready(base, stage.process)
    start_cpu = server_cpu(stage.process)
    search: dict[str, float] = {}
    client_io = 0
    try:
        if shutil.which("wrk") and search_seconds > 0:
            paths, _ = workload(base, random.Random(0))["search /api/search"]
            before = io_counters()["rchar"]
            search = run_wrk(base, paths, None, 10, search_seconds, root)
            client_io = io_counters()["rchar"] - before
    finally:
        stage.process.terminate()
    stats = stage.finish()
    stats["read_mb"] -= client_io / 1e6
    stats.update(wall_s=started, cpu_s=start_cpu, served_cpu_s=stats["cpu_s"] - start_cpu)
    stats["p50_ms"] = search.get("p50", math.nan)
    stats["p99_ms"] = search.get("p99", math.nan)
    return stats


def wait_ready(base: str, process: subprocess.Popen) -> float:
    """Seconds until ``/healthz`` answers."""
    import httpx

    began = time.monotonic()
    while process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return time.monotonic() - began
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the app exited ({process.returncode}) before answering")


def measure_size(
    root: Path, recordings: int, frames: int, search_seconds: float, stages: list[str]
) -> dict:
    """The stages (each needs those before it) on a fresh corpus; per stage its figures."""
    began = time.monotonic()
    release, spans, keypoints = generate(root, recordings, frames)
    print(f"[{recordings}] generated in {time.monotonic() - began:.0f} s", flush=True)
    manifests, shards, index = root / "manifests", root / "shards", root / "index.sqlite"
    commands = {
        "ingest": [*CLI, "ingest", str(release), "--out", str(manifests)],
        "extract": [*CLI, "extract", str(manifests), "--out", str(shards),
                    "--source", "keypoints", "--keypoints-dir", str(keypoints)],
        "verify": [*CLI, "shards", "verify", str(shards)],
        "index": [*CLI, "index", "build", str(manifests), "--spans", str(spans),
                  "--shards", str(shards), "--release", str(release), "--out", str(index)],
    }  # fmt: skip
    results = {}
    for name, command in commands.items():
        if name not in stages:
            continue
        results[name] = run_stage(command, root / f"{name}.log")
        print(f"[{recordings}] {name}: {json.dumps(_rounded(results[name]))}", flush=True)
    if "app" in stages:
        results["app"] = app_stage(index, root, search_seconds)
        print(f"[{recordings}] app: {json.dumps(_rounded(results['app']))}", flush=True)
    return results


def _rounded(stats: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 2) for key, value in stats.items()}


def exponent(t1: float, t2: float, n1: int, n2: int) -> float:
    """The growth exponent of t between sizes n1 and n2 (1.0 is linear)."""
    return math.log(t2 / t1) / math.log(n2 / n1) if t1 > 0 and t2 > 0 else math.nan


def print_table(sizes: dict[int, dict]) -> None:
    """Per stage and size; exponents and the RSS ratio against the previous size."""
    print(f"\n{'stage':8}{'recordings':>11}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>12}"
          f"{'read MB':>10}{'written MB':>11}{'exp wall':>9}{'exp CPU':>8}{'RSS ratio':>10}"
          f"{'p99 ms':>8}")  # fmt: skip
    order = sorted(sizes)
    for stage in next(iter(sizes.values())):
        previous = None
        for n in order:
            s = sizes[n][stage]
            grow = ("", "", "")
            if previous is not None:
                p, m = sizes[previous][stage], previous
                grow = (f"{exponent(p['wall_s'], s['wall_s'], m, n):.2f}",
                        f"{exponent(p['cpu_s'], s['cpu_s'], m, n):.2f}",
                        f"{s['rss_mb'] / p['rss_mb']:.2f}")  # fmt: skip
            p99 = f"{s['p99_ms']:.1f}" if "p99_ms" in s else ""
            print(f"{stage:8}{n:>11}{s['wall_s']:>9.1f}{s['cpu_s']:>9.1f}{s['rss_mb']:>12.0f}"
                  f"{s['read_mb']:>10.0f}{s['written_mb']:>11.0f}{grow[0]:>9}{grow[1]:>8}"
                  f"{grow[2]:>10}{p99:>8}")  # fmt: skip
            previous = n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000", help="recordings, comma-separated")
    parser.add_argument("--frames", type=int, default=500, help="mean frames a recording")
    parser.add_argument("--workdir", type=Path, help="keep each size's files here")
    parser.add_argument("--search-seconds", type=float, default=10.0)
    parser.add_argument("--stages", default=",".join(STAGES),
                        help="the first stages, in order (each needs those before)")  # fmt: skip
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sizes.split(","))
    stages = args.stages.split(",")
    if stages != list(STAGES[: len(stages)]):
        parser.error(f"--stages must be the first of {','.join(STAGES)}, in that order")
    print(f"load average at start: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        workdir = args.workdir or Path(tmp)
        results = {}
        for n in sizes:
            root = workdir / str(n)
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            results[n] = measure_size(root, n, args.frames, args.search_seconds, stages)
            (workdir / "results.json").write_text(json.dumps(results, indent=1))
    print_table(results)
    print(f"load average at end: {Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
