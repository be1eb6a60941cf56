#!/usr/bin/env python
"""Leave-one-article-out setup cost: choosing samples from the catalog against decoding them.

    python benchmarks/bench_loao_setup.py [--annotations train.csv] [--work runs/bench-loao]
        [--label-fractions 1.0 0.1]

On a synthetic twin of the shared annotation rows (made once under ``--work``), for each label
fraction (the share of recordings whose annotation rows are kept; the rest are unannotated, as
99% of the real corpus is), it times what a leave-one-article-out run reads before any training:

- baseline (the toolkit before the shard catalog's sample table): group annotated recordings by
  article by decoding every sample; then, per fold, count the fold's training recordings by
  decoding every sample again, and run the heuristic over a decoded pass of every sample;
- ours: the folds from the catalog's table (no tar opened), and the heuristic once, decoding
  only the annotated samples.

Both compute the heuristic on the same recordings; the figures are wall seconds, CPU seconds
and bytes read through ``read`` calls (``rchar`` of /proc/self/io: page-cache hits count).
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from asl_stem.cli import main as cli
from asl_stem.detect.baseline import heuristic_spans
from asl_stem.detect.loao import annotated_by_article, heuristic_once
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.catalog import read_catalog
from asl_stem.shards.reader import iter_samples

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "fs-annotations" / "train.csv"


def read_bytes() -> int:
    """Bytes this process has read through read() so far."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise RuntimeError("no rchar in /proc/self/io")


def measured(work: Callable[[], object]) -> tuple[float, float, int]:
    """(wall s, CPU s, bytes read) of one call."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    wall, before = time.perf_counter(), read_bytes()
    work()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (
        time.perf_counter() - wall,
        usage.ru_utime + usage.ru_stime - cpu,
        read_bytes() - before,
    )


def baseline(shards: str) -> None:
    """Before the sample table: every choice made by decoding every sample."""
    grouped: dict[str, list[str]] = {}
    for sample in iter_samples(shards, num_points=NUM_BODY_POINTS):
        if sample["meta"].get("spans") is not None:
            grouped.setdefault(sample["meta"]["article"], []).append(sample["key"])
    for article, keys in grouped.items():
        training = sum(
            1
            for sample in iter_samples(shards, num_points=NUM_BODY_POINTS)
            if sample["meta"].get("spans") is not None and sample["meta"]["article"] != article
        )
        assert training > 0
        wanted = set(keys)
        for sample in iter_samples(shards, num_points=NUM_BODY_POINTS):
            if sample["key"] in wanted:
                heuristic_spans(sample["keypoints"], sample["is_valid"], sample["key"])


def ours(shards: str) -> None:
    """With the sample table: folds planned without a tar, the heuristic once."""
    grouped = annotated_by_article(shards)
    with tempfile.TemporaryDirectory() as tmp:
        heuristic_once(shards, [k for keys in grouped.values() for k in keys], Path(tmp))


def build(annotations: Path, work: Path, fraction: float) -> Path:
    """Twin corpus (once), then manifests and shards keeping ``fraction`` of its annotations."""
    corpus = work / "corpus"
    if not (corpus / "videos.csv").exists():
        argv = ["synth", "--from-annotations", str(annotations), "--out", str(corpus)]
        assert cli([*argv, "--no-video"]) == 0
    folder = work / f"labels-{fraction:g}"
    subset = folder / "fs-annotations.csv"
    if not (folder / "shards" / "index.json").exists():
        (twin,) = sorted((corpus / "fs-annotations").glob("*.csv"))
        with open(twin, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        keep = rows[:1] + rows[1 :: max(1, round(1 / fraction))]
        folder.mkdir(parents=True, exist_ok=True)
        with open(subset, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(keep)
        manifests = folder / "manifests"
        argv = ["ingest", str(corpus), "--out", str(manifests), "--no-probe"]
        assert cli([*argv, "--annotations", str(subset)]) == 0
        argv = ["extract", str(manifests), "--out", str(folder / "shards")]
        argv += ["--source", "keypoints", "--keypoints-dir", str(corpus / "keypoints")]
        assert cli([*argv, "--shard-size", "16"]) == 0
    return folder / "shards"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=Path, default=SHARED)
    parser.add_argument("--work", type=Path, default=Path("runs/bench-loao"))
    parser.add_argument("--label-fractions", type=float, nargs="+", default=[1.0, 0.1])
    args = parser.parse_args()
    print("| annotated | samples | folds | setup | wall s | CPU s | MB read |")
    print("|---|---|---|---|---|---|---|")
    for fraction in args.label_fractions:
        shards = str(build(args.annotations, args.work, fraction))
        grouped = annotated_by_article(shards)
        annotated = sum(len(keys) for keys in grouped.values())
        samples = sum(entry.samples for entry in read_catalog(shards).shards)
        rows = {}
        for name, work in (("baseline", baseline), ("ours", ours)):
            rows[name] = measured(lambda work=work, shards=shards: work(shards))
            wall, cpu, read = rows[name]
            print(
                f"| {annotated} | {samples} | {len(grouped)} | {name} | {wall:.2f} | {cpu:.2f} "
                f"| {read / 1e6:.1f} |"
            )
        (bw, bc, br), (ow, oc, orr) = rows["baseline"], rows["ours"]
        print(
            f"| | | | baseline / ours | x{bw / ow:.1f} | x{bc / oc:.1f} | x{br / max(orr, 1):.1f} |"
        )


if __name__ == "__main__":
    main()
