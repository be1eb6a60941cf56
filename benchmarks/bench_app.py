"""Load benchmark of the interpreter app on loopback: concurrent clients searching and preparing.

Starts ``asl-stem app`` in its own process on 127.0.0.1 (a free port), then runs N async
clients (httpx) for D seconds, each looping over a random search (``/api/search``) or prepare
(``POST /api/prepare`` of two sentences of the corpus, or ``/api/articles/<id>/prepare``), and
prints p50/p95/p99 latency, throughput and errors. The baseline is the same clients for the
same time against ``/healthz`` (no index, no scorer): the ratio shows what the real work costs.

Without ``--index`` it builds one from a small synthetic corpus (``asl-stem synth --no-video``,
``asl-stem ingest``, ``build_index``) in a temporary folder.

    python benchmarks/bench_app.py [--clients 50] [--duration 30] [--index FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"
Picker = Callable[[], tuple[str, str, dict[str, Any] | None]]


def build_demo_index(folder: Path) -> Path:
    """A small synthetic corpus through the real stages, indexed."""
    from asl_stem.termindex import build_index

    cli = [sys.executable, "-m", "asl_stem.cli"]
    corpus, manifests = folder / "corpus", folder / "manifests"
    subprocess.run(
        [*cli, "synth", "--out", str(corpus), "--articles", "4", "--no-video"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*cli, "ingest", str(corpus), "--out", str(manifests), "--no-probe"],
        check=True,
        capture_output=True,
    )
    return build_index(manifests, out=folder / "index.sqlite", keypoints_dir=corpus / "keypoints")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(index: Path, notes: Path, port: int) -> subprocess.Popen[bytes]:
    """``asl-stem app`` in a child process; returns once it answers /healthz."""
    command = [
        sys.executable,
        "-m",
        "asl_stem.cli",
        "app",
        "--index",
        str(index),
        "--notes",
        str(notes),
        "--host",
        HOST,
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the app did not start within 60 s")


def workload(base: str) -> tuple[list[str], list[str], list[str]]:
    """Search words, article ids and sentence texts taken from the running app's own data."""
    articles = httpx.get(f"{base}/api/articles", timeout=30).json()
    ids = [a["id"] for a in articles]
    sentences = [
        s["text"] for i in ids for s in httpx.get(f"{base}/api/articles/{i}").json()["sentences"]
    ]
    words = sorted({w.strip(".,;:()") for s in sentences for w in s.split() if len(w) > 5})
    return [w[: max(3, len(w) - 2)] for w in words], ids, sentences


async def client(
    base: str, until: float, pick: Picker, latencies: list[float], errors: list[str]
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.monotonic() < until:
            method, url, body = pick()
            began = time.perf_counter()
            try:
                response = await http.request(method, url, json=body)
                if response.status_code >= 400:
                    errors.append(f"{method} {url}: {response.status_code}")
            except httpx.HTTPError as error:
                errors.append(f"{method} {url}: {error!r}")
            latencies.append(time.perf_counter() - began)


def run_load(base: str, clients: int, duration: float, pick: Picker) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> None:
        until = time.monotonic() + duration
        await asyncio.gather(
            *(client(base, until, pick, latencies, errors) for _ in range(clients))
        )

    asyncio.run(main())
    q = statistics.quantiles(latencies, n=100)
    for error in errors[:5]:
        print("  error:", error)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / duration,
        "errors": len(errors),
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
    }


def print_table(baseline: dict[str, float], real: dict[str, float]) -> None:
    """The two phases side by side, and their ratios."""
    columns = ("requests", "rps", "p50", "p95", "p99", "errors")
    print(f"{'':26}" + "".join(f"{name:>10}" for name in columns) + "   (latencies in ms)")
    for name, stats in (("baseline /healthz", baseline), ("search + prepare", real)):
        print(f"{name:26}" + "".join(f"{stats[c]:>10.1f}" for c in columns))
    ratios = "".join(f"{real[c] / baseline[c]:>10.2f}" for c in columns[1:5])
    print(f"{'ratio (real / baseline)':26}{'':>10}{ratios}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--index", type=Path, help="an index to serve (default: build a small one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or build_demo_index(Path(tmp))
        port = free_port()
        server = start_server(index, Path(tmp) / "notes.sqlite", port)
        base = f"http://{HOST}:{port}"
        try:
            words, ids, sentences = workload(base)
            rng = random.Random(args.seed)

            def real() -> tuple[str, str, dict[str, Any] | None]:
                roll = rng.random()
                if roll < 0.5:
                    return "GET", f"/api/search?q={rng.choice(words)}", None
                if roll < 0.9:
                    first = rng.randrange(len(sentences))
                    return "POST", "/api/prepare", {"text": " ".join(sentences[first : first + 2])}
                return "GET", f"/api/articles/{rng.choice(ids)}/prepare", None

            def trivial() -> tuple[str, str, None]:
                return "GET", "/healthz", None

            print(
                f"index {index}: {len(ids)} articles, {len(sentences)} sentences; "
                f"{args.clients} clients, {args.duration:.0f} s per phase, server on {base}"
            )
            base_stats = run_load(base, args.clients, args.duration, trivial)
            real_stats = run_load(base, args.clients, args.duration, real)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print_table(base_stats, real_stats)
    return 1 if real_stats["errors"] or base_stats["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
