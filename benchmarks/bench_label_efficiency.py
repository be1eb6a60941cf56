#!/usr/bin/env python
"""The learning curve: supervised only vs pretrained vs pretrained + one round of pseudo-labels.

    nice -n 10 python benchmarks/bench_label_efficiency.py [--work runs/label-efficiency]

On a synthetic corpus shaped like the release (``asl_stem.detect.synthetic_corpus``): the twin
of an annotation file is the annotated part, the same articles' sentences signed by
``--interpreters`` more synthetic interpreters the unlabeled part. The article with the most
annotated recordings is held out (a rule fixed before any run) and never trained, pretrained or
pseudo-labelled on. For each label fraction (of the annotated recordings of the other
articles, after 15% of them are set apart for validation):

- supervised: ``models/detector-cpu.yaml`` on the labelled recordings;
- pretrained: the same, ``--model.init_from`` the pretrained encoder;
- pseudo: the pretrained arm's model pseudo-labels unannotated recordings (``min-score``
  chosen on the validation recordings), then a detector is trained from the pretrained
  encoder on the labelled and pseudo-labelled recordings together (span-less pseudo
  recordings capped at the labelled set's share, the data module's default).

Which pretraining objectives to use (masked modelling, sentence matching or both) is chosen
by fine-tuning each at 10% of the labels and comparing validation AP@0.5. Every arm trains
the same number of steps; its epoch is chosen by validation AP@0.5 (the config's checkpoint
callback). Scores are on the held-out article: AP@0.1, AP@0.5, mean IoU, each arm's ratio
to supervised-only at the same fraction and to supervised-only on all labels. Each step's
result is saved under ``--work``, so a rerun resumes; ``--report`` writes the table into
docs/detector.md between the label-efficiency markers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import resource
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from asl_stem.atomic import atomic_open, read_json, write_json
from asl_stem.corpus.records import frame_iou
from asl_stem.corpus.spanfile import read_span_file, write_span_file
from asl_stem.detect.data import FingerspellingData
from asl_stem.detect.evaluation import score
from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.detect.pseudo import pseudo_label, unannotated_keys
from asl_stem.detect.synthetic_corpus import write_corpus_shards
from asl_stem.shards.reader import sample_rows
from asl_stem.training import fit

log = logging.getLogger("bench_label_efficiency")

DETECTOR, PRETRAIN = "models/detector-cpu.yaml", "models/pretrain-cpu.yaml"
VARIANTS = {
    "mask+text": [],
    "mask": ["--model.text_weight=0"],
    "text": ["--model.mask_weight=0"],
}
ARMS = ("supervised", "pretrained", "pseudo")
# Fixed before any run: equal steps for every arm; the pretraining budget; the pseudo rule.
ARM_OVERRIDES = [
    "--data.samples_per_epoch=128",
    "--data.batch_size=16",
    "--trainer.max_epochs=10",
]  # 160 steps of 16 windows of 256 frames
PRETRAIN_OVERRIDES = ["--data.samples_per_epoch=512", "--trainer.max_epochs=4"]
TARGET_PRECISION = 0.9  # min-score: the lowest score whose kept spans reach this precision
SCORE_GRID = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))
PSEUDO_RECORDINGS = 1500  # unannotated recordings pseudo-labelled per round (stable hash)
START, END = "<!-- label-efficiency:start -->", "<!-- label-efficiency:end -->"


class Bench:
    """Paths, the split and the resumable steps of one benchmark run."""

    def __init__(self, work: Path, annotations: str, interpreters: int, seed: int) -> None:
        self.work, self.seed = work, seed
        self.shards = str(work / "shards")
        self.results = work / "results"
        self.results.mkdir(parents=True, exist_ok=True)
        self.corpus = self.step("corpus", lambda: self.make_corpus(annotations, interpreters))
        rows, _ = sample_rows(self.shards)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.article] = counts.get(row.article, 0) + row.annotated
        self.held_out = max(sorted(counts), key=lambda article: counts[article])
        self.exclude = f"--data.exclude_articles={json.dumps([self.held_out])}"
        self.test_keys = [r.id for r in rows if r.annotated and r.article == self.held_out]
        split = FingerspellingData(self.shards, exclude_articles=[self.held_out], val_fraction=0.15)
        split.setup("fit")
        self.train_keys, self.val_keys = split.train_keys, split.val_keys

    def step(self, name: str, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The saved result of ``name``, or run ``make`` and save what it returns."""
        path = self.results / f"{name}.json"
        if path.exists():
            return read_json(path)
        log.info("step %s", name)
        result = make()
        write_json(path, result)
        return result

    def make_corpus(self, annotations: str, interpreters: int) -> dict[str, Any]:
        shutil.rmtree(self.shards, ignore_errors=True)
        started, cpu = time.monotonic(), cpu_seconds()
        truths = write_corpus_shards(
            self.shards, annotations, interpreters=interpreters, seed=self.seed
        )
        write_span_file(self.work / "signed-spans.jsonl", truths.values())
        rows, _ = sample_rows(self.shards)
        annotated = [r for r in rows if r.annotated]
        return {
            "recordings": len(rows),
            "annotated": len(annotated),
            "frames": sum(r.frames for r in rows),
            "annotated_frames": sum(r.frames for r in annotated),
            "seconds": time.monotonic() - started,
            "cpu_seconds": cpu_seconds() - cpu,
        }

    def train(self, name: str, config: str, overrides: Sequence[str]) -> dict[str, Any]:
        """Fit from scratch into ``work/runs/name``; the best checkpoint and its val score."""
        out = self.work / "runs" / name
        shutil.rmtree(out, ignore_errors=True)  # an interrupted run restarts clean
        started, cpu = time.monotonic(), cpu_seconds()
        trainer = fit(
            config,
            [
                f"--data.shards={self.shards}",
                self.exclude,
                f"--trainer.default_root_dir={out}",
                f"--trainer.logger.init_args.save_dir={out}",
                "--trainer.enable_progress_bar=false",
                *overrides,
            ],
        )
        callback = trainer.checkpoint_callback
        best = callback.best_model_score
        return {
            "extra_recordings": len(getattr(trainer.datamodule, "extra_keys", ())),
            "checkpoint": callback.best_model_path or callback.last_model_path,
            "monitor": callback.monitor,
            "val": float(best) if best is not None else None,
            "seconds": time.monotonic() - started,
            "cpu_seconds": cpu_seconds() - cpu,
        }

    def pretrain(self, variant: str) -> dict[str, Any]:
        return self.step(
            f"pretrain-{variant}",
            lambda: self.train(
                f"pretrain-{variant}", PRETRAIN, PRETRAIN_OVERRIDES + VARIANTS[variant]
            ),
        )

    def detector(self, name: str, fraction: float, extra: Sequence[str] = ()) -> dict[str, Any]:
        """Train a detector at a label fraction and score it on the held-out article."""

        def make() -> dict[str, Any]:
            overrides = [f"--data.label_fraction={fraction}", *ARM_OVERRIDES, *extra]
            result = self.train(name, DETECTOR, overrides)
            result["test"] = self.evaluate(result["checkpoint"], self.test_keys)
            return result

        return self.step(name, make)

    def evaluate(self, checkpoint: str, keys: Sequence[str]) -> dict[str, float]:
        """AP@IoU and mean IoU of a checkpoint on some annotated recordings."""
        model = load_detector(checkpoint)
        detections, truths = {}, {}
        for detection in iter_detections(model, self.shards, keys=keys):
            detections[detection.recording_id] = detection.recording_spans()
            truths[detection.recording_id] = detection.truths or []
        scores = score("model", detections, truths)
        return {**{f"ap@{k}": v for k, v in scores.ap.items()}, "mean_iou": scores.mean_iou}

    def choose_min_score(self, checkpoint: str) -> dict[str, Any]:
        """The lowest score in the grid at which the teacher's validation spans reach the
        target precision (IoU >= 0.5), else the most precise; validation recordings only."""
        model = load_detector(checkpoint)
        scored = []  # (score, hit) for every span detected in a validation recording
        for detection in iter_detections(model, self.shards, keys=self.val_keys):
            truths = [t.frames for t in detection.truths or []]
            for span in detection.spans:
                hit = any(frame_iou(span.frames, truth) >= 0.5 for truth in truths)
                scored.append((span.score or 0.0, hit))
        precision = {}
        for threshold in SCORE_GRID:
            kept = [hit for value, hit in scored if value >= threshold]
            precision[threshold] = sum(kept) / len(kept) if kept else 0.0
        reaching = [t for t in SCORE_GRID if precision[t] >= TARGET_PRECISION]
        chosen = reaching[0] if reaching else max(SCORE_GRID, key=lambda t: precision[t])
        return {"min_score": chosen, "val_precision": precision}

    def pseudo_arm(self, fraction: float, teacher: dict[str, Any], init: str) -> dict[str, Any]:
        """One round: choose min-score, pseudo-label, train on labels + pseudo-labels."""

        def labels() -> dict[str, Any]:
            started, cpu = time.monotonic(), cpu_seconds()
            choice = self.choose_min_score(teacher["checkpoint"])
            pool = unannotated_keys(self.shards, exclude_articles=[self.held_out])
            keys = sorted(pool, key=lambda k: hashlib.sha256(k.encode()).digest())
            out = self.work / f"pseudo-{fraction}.jsonl"
            report = pseudo_label(
                teacher["checkpoint"],
                self.shards,
                out,
                min_score=choice["min_score"],
                exclude_articles=[self.held_out],
                keys=keys[:PSEUDO_RECORDINGS],
            )
            quality = pseudo_quality(out, self.work / "signed-spans.jsonl")
            return {
                **choice,
                **report.to_dict(),
                "quality": quality,
                "seconds": time.monotonic() - started,
                "cpu_seconds": cpu_seconds() - cpu,
            }

        made = self.step(f"pseudo-labels-{fraction}", labels)
        result = self.detector(
            f"pseudo-{fraction}",
            fraction,
            [f"--model.init_from={init}", f"--data.extra_spans={made['out']}"],
        )
        return {**result, "labels": made}


def pseudo_quality(pseudo: Path, signed: Path) -> dict[str, float]:
    """Precision of the pseudo spans (IoU >= 0.5 with a span the synthetic signer spelled) and
    the share of the signed spans of the written recordings that they found. A diagnostic
    only: nothing is chosen by it."""
    found, _ = read_span_file(pseudo)
    truth, _ = read_span_file(signed)
    hits = total = matched = true_total = 0
    for key, item in found.items():
        true = [s.frames for s in truth[key].spans]
        hits += sum(any(frame_iou(s.frames, t) >= 0.5 for t in true) for s in item.spans)
        matched += sum(any(frame_iou(s.frames, t) >= 0.5 for s in item.spans) for t in true)
        total += len(item.spans)
        true_total += len(true)
    return {
        "precision@0.5": hits / total if total else 0.0,
        "recall@0.5": matched / true_total if true_total else 0.0,
    }


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (loader workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(bench: Bench, fractions: Sequence[float]) -> dict[str, Any]:
    """Every step (resumed where saved); the results for the report."""
    selection = {}
    for variant in VARIANTS:
        pre = bench.pretrain(variant)
        arm = bench.detector(f"select-{variant}", 0.1, [f"--model.init_from={pre['checkpoint']}"])
        selection[variant] = {"pretrain": pre, "finetune": arm}
    chosen = max(VARIANTS, key=lambda v: selection[v]["finetune"]["val"])
    init = selection[chosen]["pretrain"]["checkpoint"]
    arms: dict[str, dict[str, Any]] = {}
    for fraction in fractions:
        sup = bench.detector(f"supervised-{fraction}", fraction)
        if fraction == 0.1:
            pre = selection[chosen]["finetune"]
        else:
            pre = bench.detector(f"pretrained-{fraction}", fraction, [f"--model.init_from={init}"])
        arms[str(fraction)] = {
            "supervised": sup,
            "pretrained": pre,
            "pseudo": bench.pseudo_arm(fraction, pre, init),
        }
    return {"selection": selection, "chosen": chosen, "arms": arms}


def report(bench: Bench, results: dict[str, Any], fractions: Sequence[float]) -> str:
    """The Markdown section: corpus, objective choice, learning curve, pseudo-label quality."""
    c = bench.corpus
    full = results["arms"][str(max(fractions))]["supervised"]["test"]["ap@0.5"]
    unlabeled = c["recordings"] - c["annotated"]
    frames_ratio = (c["frames"] - c["annotated_frames"]) / c["annotated_frames"]
    lines = [
        "### Learning curve: labels, pretraining and pseudo-labels",
        "",
        f"Corpus: {c['annotated']} annotated recordings (the synthetic twin of the shared rows) "
        f"and {unlabeled} unlabeled ({unlabeled / c['annotated']:.1f}× as many, "
        f"{frames_ratio:.1f}× the frames), {c['frames'] / 30 / 3600:.1f} h at 30 fps. "
        f"Held out: *{bench.held_out}* ({len(bench.test_keys)} recordings); training articles: "
        f"{len(bench.train_keys)} annotated recordings to draw labels from, "
        f"{len(bench.val_keys)} for validation.",
        "",
        "Pretraining objectives, each fine-tuned with 10% of the labels (validation AP@0.5 "
        "chooses; the held-out column is shown, not used):",
        "",
        "| objectives | pretraining time | val AP@0.5 | held-out AP@0.5 |",
        "|---|---|---|---|",
    ]
    for variant, item in results["selection"].items():
        mark = " (chosen)" if variant == results["chosen"] else ""
        pre, arm = item["pretrain"], item["finetune"]
        lines.append(
            f"| {variant}{mark} | {minutes(pre)} | {arm['val']:.3f} | {arm['test']['ap@0.5']:.3f} |"
        )
    lines += [
        "",
        "| labels | arm | AP@0.1 | AP@0.5 | mean IoU | AP@0.5 / supervised | "
        f"AP@0.5 / supervised ({max(fractions):.0%}) | time (wall, CPU) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fraction in fractions:
        row = results["arms"][str(fraction)]
        base = row["supervised"]["test"]["ap@0.5"]
        for arm in ARMS:
            item, test = row[arm], row[arm]["test"]
            spent = minutes(item)
            if arm == "pseudo":
                spent += f" + {minutes(item['labels'])} labels"
            lines.append(
                f"| {fraction:.0%} | {arm} | {test['ap@0.1']:.3f} | {test['ap@0.5']:.3f} | "
                f"{test['mean_iou']:.3f} | {ratio(test['ap@0.5'], base)} | "
                f"{ratio(test['ap@0.5'], full)} | {spent} |"
            )
    lines += [
        "",
        "Pseudo-labels per round (min-score chosen on validation for a span precision of "
        f"{TARGET_PRECISION}; quality against the spans the synthetic signer spelled, a "
        "diagnostic only):",
        "",
        "| labels | min-score | recordings written / labelled | spans | left out as uncertain "
        "| trained on | precision@0.5 | recall@0.5 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fraction in fractions:
        pseudo = results["arms"][str(fraction)]["pseudo"]
        made, q = pseudo["labels"], pseudo["labels"]["quality"]
        lines.append(
            f"| {fraction:.0%} | {made['min_score']:.2f} | {made['written']} / "
            f"{made['recordings']} | {made['spans']} | {made['uncertain_recordings']} | "
            f"{pseudo['extra_recordings']} | {q['precision@0.5']:.3f} | {q['recall@0.5']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def minutes(item: dict[str, Any]) -> str:
    return f"{item['seconds'] / 60:.1f} min, {item['cpu_seconds'] / 60:.1f} CPU-min"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base > 0 else "n/a"


def write_report(path: Path, block: str, preamble: str) -> None:
    """Put the block between the markers of ``path`` (appended when absent), atomically."""
    text = path.read_text(encoding="utf-8")
    section = f"{START}\n{preamble}\n{block}{END}\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with atomic_open(path) as handle:
        handle.write(text)


PREAMBLE = """Made by `nice -n 10 python benchmarks/bench_label_efficiency.py` ({args}); every
arm trains `models/detector-cpu.yaml` for the same number of steps, the pretraining runs
`models/pretrain-cpu.yaml`. Synthetic keypoints, not real video.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="runs/label-efficiency", help="resumable work folder")
    parser.add_argument("--annotations", default="../shared/data/fs-annotations/train.csv")
    parser.add_argument("--interpreters", type=int, default=30, help="unlabeled signers")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.05, 0.1, 0.25, 1.0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", help="write the table into this Markdown file")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if 0.1 not in args.fractions:
        parser.error("--fractions must include 0.1 (the objectives are chosen there)")
    bench = Bench(Path(args.work), args.annotations, args.interpreters, args.seed)
    results = run(bench, sorted(args.fractions))
    write_json(bench.results / "summary.json", results)
    block = report(bench, results, sorted(args.fractions))
    print(block)
    if args.report:
        settings = f"--interpreters {args.interpreters}, --threads {args.threads}, seed {args.seed}"
        write_report(Path(args.report), block, PREAMBLE.format(args=settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
