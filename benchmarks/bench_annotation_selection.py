#!/usr/bin/env python
"""Does `asl-stem annotate select` pay? Detector AP@0.5 per labelling round, select vs random.

    nice -n 10 python benchmarks/bench_annotation_selection.py --work runs/bench-select

A synthetic demo corpus (bundled articles, synthetic interpreters; keypoints only) is split by
article: the last title is held out for the test, the one before it is the validation article,
the others are the pool. Each seed starts from the same small random labelled set of the pool;
each round trains the CPU config (`models/detector-cpu.yaml`, `--epochs` epochs) on the
labelled pool recordings, keeping the epoch with the best AP@0.5 on the validation article (the
config's checkpoint rule), scores the held-out article, then adds `--per-round` labels chosen
by `annotate select` (from the round's checkpoint and the pool's shards) or at random.
"Unlabelled" recordings are made by ingesting the pool with their annotation rows withheld; the
withheld rows are the oracle that labels a pick. The held-out article is only ever scored.
Every step saves its result, so a rerun resumes.
"""

from __future__ import annotations

import argparse
import csv
import logging
import resource
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from asl_stem.annotate.selection import select_recordings
from asl_stem.annotate.worklist import read_recording_list
from asl_stem.atomic import read_json, write_json
from asl_stem.corpus import prepare_asl_stem
from asl_stem.corpus.annotations import COLUMNS
from asl_stem.corpus.release import VIDEO_COLUMNS, stem
from asl_stem.detect.evaluation import baseline_detections, load_truths, score
from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.extract.run import extract
from asl_stem.extract.work import ExtractSettings
from asl_stem.synth.corpus import write_demo_corpus
from asl_stem.training import train

log = logging.getLogger("bench_annotation_selection")
CONFIG = Path(__file__).resolve().parents[1] / "models" / "detector-cpu.yaml"
STRATEGIES = ("select", "random")


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (loader workers), user + system."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, columns: Sequence[str], rows: Sequence[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


class Bench:
    """The corpus, its splits and the oracle rows, with one method per step."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.work)
        self.corpus = self.work / "corpus"
        if not (self.corpus / "fs-annotations" / "demo.csv").exists():
            write_demo_corpus(
                self.corpus, articles=args.articles, interpreters=args.interpreters,
                seed=args.corpus_seed, video=False, workers=args.workers,
            )  # fmt: skip
        self.oracle = {
            stem(r["filename"]): r for r in read_rows(self.corpus / "fs-annotations" / "demo.csv")
        }
        videos = read_rows(self.corpus / "videos.csv")
        titles = sorted({row["articleName"] for row in videos})
        self.test_article, self.val_article = titles[-1], titles[-2]
        self.split = {
            "test": [r for r in videos if r["articleName"] == self.test_article],
            "val": [r for r in videos if r["articleName"] == self.val_article],
            "pool": [r for r in videos if r["articleName"] not in titles[-2:]],
        }
        self.pool_ids = sorted(stem(r["filename"]) for r in self.split["pool"])
        self.val = self.eval_shards("val")

    def shards(self, name: str, labelled: Sequence[str], folder: Path) -> Path:
        """Ingest split ``name`` with the oracle rows of ``labelled`` only, then extract."""
        shards = folder / "shards"
        if (shards / "index.json").exists():
            return shards
        release = write_rows(
            folder / "release" / "videos.csv", VIDEO_COLUMNS, self.split[name]
        ).parent
        labels = write_rows(folder / "labels.csv", COLUMNS, [self.oracle[i] for i in labelled])
        prepare_asl_stem(release, [labels], out=folder / "manifests", probe=False, progress=False)
        settings = ExtractSettings(source="keypoints", shard_size=self.args.shard_size)
        extract(folder / "manifests", shards, settings, keypoints_dir=self.corpus / "keypoints")
        return shards

    def eval_shards(self, name: str) -> Path:
        ids = [stem(r["filename"]) for r in self.split[name]]
        return self.shards(name, ids, self.work / name)

    def train(self, shards: Path, folder: Path, epochs: int, seed: int) -> Path:
        done = folder / "checkpoint.txt"
        if done.exists():
            return Path(done.read_text().strip())
        checkpoint = train(CONFIG, [
            f"--data.shards={shards}", f"--data.val_shards={self.val}",
            f"--trainer.max_epochs={epochs}",
            f"--data.samples_per_epoch={self.args.samples_per_epoch}", f"--data.seed={seed}",
            f"--seed_everything={seed}", f"--trainer.default_root_dir={folder}",
            f"--trainer.logger.init_args.save_dir={folder}",
            "--trainer.enable_progress_bar=false", "--trainer.enable_model_summary=false",
        ])  # fmt: skip
        done.write_text(str(checkpoint))
        return checkpoint

    def ap(self, checkpoint: Path, shards: Path) -> dict[str, float]:
        """AP@0.5 (and mean IoU) of a checkpoint on every recording of ``shards``."""
        truths = load_truths(shards)
        model = load_detector(checkpoint)
        detections = {
            d.recording_id: d.recording_spans() for d in iter_detections(model, str(shards))
        }
        scores = score("model", detections, truths)
        return {"ap50": scores.ap["0.5"], "ap10": scores.ap["0.1"], "mean_iou": scores.mean_iou}


def initial_set(bench: Bench, seed: int) -> list[str]:
    """The seed's random labelled pool recordings to start from."""
    rng = np.random.default_rng(seed)
    return [str(x) for x in rng.choice(bench.pool_ids, size=bench.args.initial, replace=False)]


def next_picks(
    bench: Bench, strategy: str, labelled: list[str], checkpoint: Path, shards: Path, folder: Path
) -> dict:
    """The recordings to label next (kept in ``picks-<strategy>.json``), with their cost."""
    path = folder / f"picks-{strategy}.json"
    if path.exists():
        return read_json(path)
    cpu, wall = cpu_seconds(), time.perf_counter()
    if strategy == "select":
        worklist = folder / "worklist.csv"
        select_recordings(checkpoint, str(shards), bench.args.per_round, worklist)
        picks = read_recording_list(worklist)
    else:
        rng = np.random.default_rng([int(folder.parent.name[4:]), len(labelled)])
        left = sorted(set(bench.pool_ids) - set(labelled))
        picks = [str(x) for x in rng.choice(left, size=bench.args.per_round, replace=False)]
    found = {"picks": picks, "cpu_s": cpu_seconds() - cpu, "wall_s": time.perf_counter() - wall}
    write_json(path, found)
    return found


def run_seed(bench: Bench, seed: int, epochs: int, test: Path) -> list[dict]:
    """Every round of both strategies for one seed (each step's result kept on disk)."""
    results = []
    for strategy in STRATEGIES:
        labelled = initial_set(bench, seed)
        for number in range(bench.args.rounds + 1):
            name = "round0" if number == 0 else f"{strategy}-round{number}"
            folder = bench.work / f"seed{seed}" / name
            shards = bench.shards("pool", labelled, folder)
            checkpoint = bench.train(shards, folder / f"run-e{epochs}", epochs, seed)
            path = folder / "result.json"
            if not path.exists():
                write_json(path, bench.ap(checkpoint, test))
            row = {"seed": seed, "round": number, "strategy": strategy, "labelled": len(labelled)}
            row.update(read_json(path))
            if number < bench.args.rounds:
                row.update(next_picks(bench, strategy, labelled, checkpoint, shards, folder))
                labelled = labelled + row["picks"]
            results.append(row)
    return results


def table(results: list[dict], bench: Bench, heuristic: float) -> str:
    """Markdown: AP@0.5 per round, mean over seeds, select beside random."""
    lines = [
        "| round | labelled recordings | AP@0.5 select | AP@0.5 random | select / random | "
        "mean IoU select | mean IoU random |",
        "|---|---|---|---|---|---|---|",
    ]
    for number in range(bench.args.rounds + 1):
        rows = {
            s: [r for r in results if r["round"] == number and r["strategy"] == s]
            for s in STRATEGIES
        }
        ap = {s: float(np.mean([r["ap50"] for r in rows[s]])) for s in STRATEGIES}
        iou = {s: float(np.mean([r["mean_iou"] for r in rows[s]])) for s in STRATEGIES}
        ratio = ap["select"] / ap["random"] if ap["random"] else float("nan")
        lines.append(
            f"| {number} | {rows['select'][0]['labelled']} | {ap['select']:.3f} "
            f"| {ap['random']:.3f} | {ratio:.2f} | {iou['select']:.3f} | {iou['random']:.3f} |"
        )
    lines.append(
        f"\nNon-learned heuristic on the same held-out recordings: AP@0.5 {heuristic:.3f}."
    )
    return "\n".join(lines)


def pick_facts(results: list[dict], bench: Bench) -> str:
    """What each strategy picked: share with fingerspelling, articles/interpreters, CPU time."""
    lines = []
    for strategy in STRATEGIES:
        picks = [i for r in results if r["strategy"] == strategy for i in r.get("picks", [])]
        rounds = [r for r in results if r["strategy"] == strategy and "picks" in r]
        spelled = np.mean([self_spans(bench.oracle[i]) > 0 for i in picks])
        spans = np.mean([self_spans(bench.oracle[i]) for i in picks])
        articles = np.mean(
            [len({bench.oracle[i]["articleName"] for i in r["picks"]}) for r in rounds]
        )
        people = np.mean([len({bench.oracle[i]["user"] for i in r["picks"]}) for r in rounds])
        cpu = np.mean([r["cpu_s"] for r in rounds])
        wall = np.mean([r["wall_s"] for r in rounds])
        lines.append(
            f"- {strategy}: {len(picks)} picks, {100 * spelled:.0f}% with fingerspelling, "
            f"{spans:.2f} spans a pick; per round {articles:.1f} articles and {people:.1f} "
            f"interpreters; {cpu:.1f} CPU-s and {wall:.1f} s wall per round"
        )
    return "\n".join(lines)


def self_spans(row: dict[str, str]) -> int:
    """Spans of an oracle row (the synthetic corpus writes ``[(s, e), ...]``)."""
    return row["fs_span"].count("(")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="runs/bench-select", help="working folder (resumable)")
    parser.add_argument("--articles", type=int, default=4)
    parser.add_argument("--interpreters", type=int, default=4)
    parser.add_argument("--corpus-seed", type=int, default=0)
    parser.add_argument("--initial", type=int, default=8, help="labelled pool recordings at start")
    parser.add_argument("--per-round", type=int, default=8, help="labels added per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=16, help="the CPU config's own 16")
    parser.add_argument("--samples-per-epoch", type=int, default=64)
    parser.add_argument("--shard-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="synthesis processes")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(args.threads)
    started_cpu, started = cpu_seconds(), time.perf_counter()
    bench = Bench(args)
    test = bench.eval_shards("test")
    results = [row for seed in args.seeds for row in run_seed(bench, seed, args.epochs, test)]
    truths = load_truths(test)
    heuristic = score("heuristic", baseline_detections(str(test), truths), truths).ap["0.5"]
    write_json(bench.work / "results.json", results)
    pool_articles = len({row["articleName"] for row in bench.split["pool"]})
    print(
        f"\nHeld-out article {bench.test_article!r} ({len(bench.split['test'])} recordings), "
        f"validation article {bench.val_article!r}, pool {len(bench.pool_ids)} recordings of "
        f"{pool_articles} articles; seeds {args.seeds}; at most {args.epochs} epochs of "
        f"{args.samples_per_epoch} recordings, the best on the validation article kept\n"
    )
    print(table(results, bench, heuristic))
    print()
    print(pick_facts(results, bench))
    print(
        f"\nwhole run: {cpu_seconds() - started_cpu:.0f} CPU-s, "
        f"{time.perf_counter() - started:.0f} s wall (steps kept from an earlier run not counted)"
    )


if __name__ == "__main__":
    main()
