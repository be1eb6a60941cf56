"""Load benchmark of the interpreter app on loopback with ``wrk``: search, pages and prepares
beside ``/healthz`` in the same run, at 10 and 50 connections.

Serves ``--index`` (or builds one: the demo-sized synthetic corpus by default, or a generated
corpus of the real corpus's shape with ``--recordings 64000``, see ``corpus_scale.py``) with
``asl-stem app`` in its own process, then runs ``wrk`` per phase: ``/healthz`` (the baseline:
no index, no scorer), ``/api/search`` over words of the corpus, term pages, article prepare
pages, and ``POST /api/prepare`` of two sentences. It prints requests/s, p50/p99 latency and
errors (non-2xx and socket errors) per phase, and each phase's ratio to the baseline.

    apt-get install -y wrk     # Debian's package
    python benchmarks/bench_app.py [--recordings 64000] [--workdir DIR] [--index FILE]
        [--duration 20] [--connections 10 50] [--cpu-slots N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

HOST = "127.0.0.1"
LUA = """
local paths = {%s}
local body = %s
local n = 0
request = function()
  n = n + 1
  local path = paths[(n %% #paths) + 1]
  if body ~= nil then
    return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body[(n %% #body) + 1])
  end
  return wrk.format("GET", path)
end
"""


def build_index(workdir: Path, recordings: int | None) -> Path:
    """An index to serve: generated at the corpus's shape, or the demo-sized synthetic one."""
    from asl_stem.termindex import build_index as build

    index = workdir / "index.sqlite"
    if index.is_file():
        return index
    if recordings:
        from corpus_scale import write_corpus

        manifests, spans, _ = write_corpus(workdir, recordings=recordings, keypoints=False)
        return build(manifests, out=index, spans=spans)
    cli = [sys.executable, "-m", "asl_stem.cli"]
    corpus, manifests = workdir / "corpus", workdir / "manifests"
    subprocess.run([*cli, "synth", "--out", str(corpus), "--articles", "4", "--no-video"],
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run([*cli, "ingest", str(corpus), "--out", str(manifests), "--no-probe"],
                   check=True, capture_output=True)  # fmt: skip
    return build(manifests, out=index, keypoints_dir=corpus / "keypoints")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(index: Path, notes: Path, port: int, cpu_slots: int | None) -> subprocess.Popen:
    """``asl-stem app`` in a child process; returns once it answers /healthz."""
    command = [sys.executable, "-m", "asl_stem.cli", "app", "--index", str(index), "--notes",
               str(notes), "--host", HOST, "--port", str(port)]  # fmt: skip
    if cpu_slots is not None:
        command += ["--cpu-slots", str(cpu_slots)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the app did not start within 600 s")


def workload(base: str, rng: random.Random) -> dict[str, tuple[list[str], list[str] | None]]:
    """Per phase: the request paths (and POST bodies), from the running app's own data."""
    articles = httpx.get(f"{base}/api/articles", timeout=60).json()
    ids = [a["id"] for a in rng.sample(articles, min(20, len(articles)))]
    sentences = [
        s["text"] for i in ids for s in httpx.get(f"{base}/api/articles/{i}").json()["sentences"]
    ]
    words = sorted({w.strip(".,;:()") for s in sentences for w in s.split() if len(w) > 5})
    prefixes = [w[: max(3, len(w) - 2)] for w in rng.sample(words, min(200, len(words)))]
    gap = httpx.get(f"{base}/api/sign-gap", params={"limit": 200}).json()
    terms = [f"/terms/{row['id']}" for row in gap] or ["/terms/1"]
    pairs = [" ".join(sentences[i : i + 2]) for i in range(0, min(60, len(sentences)), 2)]
    bodies = [json.dumps({"text": text}) for text in pairs]  # never empty (that is a 422)
    return {
        "baseline /healthz": (["/healthz"], None),
        "search /api/search": ([f"/api/search?q={quote(p)}" for p in prefixes], None),
        "term pages": (terms, None),
        "article prepare pages": ([f"/articles/{i}" for i in ids[:5]], None),
        "POST /api/prepare": (["/api/prepare"], bodies),
    }


def lua_string(text: str) -> str:
    """``text`` as a Lua string literal: every byte but letters and digits as a decimal escape,
    which every Lua reads (JSON's \\u escapes are not Lua)."""
    plain = set((string.ascii_letters + string.digits).encode())
    return '"' + "".join(chr(b) if b in plain else f"\\{b:03d}" for b in text.encode()) + '"'


def run_wrk(base: str, paths: list[str], bodies: list[str] | None, connections: int,
            duration: float, folder: Path) -> dict[str, float]:  # fmt: skip
    """One wrk run; its requests/s, latency percentiles (ms) and errors."""
    script = folder / "load.lua"
    quoted = ", ".join(lua_string(p) for p in paths)
    lua_bodies = "{" + ", ".join(lua_string(b) for b in bodies) + "}" if bodies else "nil"
    script.write_text(LUA % (quoted, lua_bodies))
    threads = min(2, connections)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration:.0f}s",
               "--latency", "--timeout", "10s", "-s", str(script), base]  # fmt: skip
    usage = resource_usage()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    if done.stderr.strip():  # a script wrk cannot load makes it request "/" instead, silently
        raise RuntimeError(f"wrk: {done.stderr.strip()}")
    return parse_wrk(done.stdout) | {"client_cpu_s": resource_usage() - usage}


def resource_usage() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def parse_wrk(out: str) -> dict[str, float]:
    def ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    found = {f"p{p}": ms(re.search(rf"^\s+{p}%\s+(\S+)", out, re.M).group(1)) for p in (50, 99)}  # type: ignore[union-attr]
    found["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    found["requests"] = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    found["errors"] = float(bad.group(1) if bad else 0) + (
        sum(map(int, sock.groups())) if sock else 0
    )
    return found


def server_cpu(process: subprocess.Popen) -> float:
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, clock ticks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index to serve")
    parser.add_argument("--recordings", type=int, help="generate a corpus of this many recordings")
    parser.add_argument("--workdir", type=Path, help="where a generated index is kept (reused)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--cpu-slots", type=int, help="the app's --cpu-slots (0 = no gate)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk (Debian's package)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workdir = args.workdir or folder
        workdir.mkdir(parents=True, exist_ok=True)
        index = args.index or build_index(workdir, args.recordings)
        port = free_port()
        began = time.monotonic()
        server = start_server(index, folder / "notes.sqlite", port, args.cpu_slots)
        print(f"index {index} ({index.stat().st_size / 1e6:.0f} MB); the app started in "
              f"{time.monotonic() - began:.1f} s (index check included)")  # fmt: skip
        base = f"http://{HOST}:{port}"
        try:
            meta = httpx.get(f"{base}/api/meta").json()["counts"]
            print(f"{meta['articles']} articles, {meta['sentences']} sentences, "
                  f"{meta['recordings']} recordings, {meta['terms']} terms")  # fmt: skip
            phases = workload(base, random.Random(args.seed))
            results = []
            for connections in args.connections:
                for name, (paths, bodies) in phases.items():
                    cpu = server_cpu(server)
                    stats = run_wrk(base, paths, bodies, connections, args.duration, folder)
                    stats["server_cpu_s"] = server_cpu(server) - cpu
                    results.append((connections, name, stats))
        finally:
            server.terminate()
            server.wait(timeout=60)
    print_table(results)
    return 0


def print_table(results: list[tuple[int, str, dict[str, float]]]) -> None:
    """Each phase with its ratio of p99 and requests/s to the baseline at the same connections."""
    print(f"{'conns':>5}  {'phase':24}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}{'srv cpu s':>10}{'p99/base':>9}{'rps/base':>9}")  # fmt: skip
    baseline = {c: s for c, n, s in results if n.startswith("baseline")}
    for connections, name, s in results:
        base = baseline[connections]
        print(f"{connections:>5}  {name:24}{s['requests']:>10.0f}{s['rps']:>10.1f}{s['p50']:>9.1f}"
              f"{s['p99']:>9.1f}{s['errors']:>8.0f}{s['server_cpu_s']:>10.1f}"
              f"{s['p99'] / base['p99']:>9.2f}{s['rps'] / base['rps']:>9.2f}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
