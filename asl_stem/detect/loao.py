"""Leave-one-article-out, the protocol of the published ASL STEM Wiki baseline.

For each article: train on the others (the given config, usually the CPU one; its epochs and
checkpoint are chosen on a validation split of those other articles, never on the held-out
one), detect on the held-out article's recordings, and score the model beside the heuristic on
exactly those recordings, twice: with its hand-set settings, and with settings fitted on the
fold's training articles (:mod:`asl_stem.detect.tuning`). The folds come from the shard
catalog's sample table, so no tar is opened to plan them; the heuristic reads the annotated
recordings once, not once per fold. Each fold's result, with the validation curve its epoch
was chosen on, is saved as JSON; the per-fold table and the mean go to a Markdown report.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from asl_stem.atomic import read_json, write_json, write_marked_block
from asl_stem.corpus.spanfile import RecordingSpans, read_span_file, write_span_file
from asl_stem.detect.baseline import DEFAULT_SETTINGS
from asl_stem.detect.evaluation import Scores, Truths, baseline_detections, score
from asl_stem.detect.tuning import HeuristicInputs, tune
from asl_stem.shards.reader import sample_rows

log = logging.getLogger(__name__)
HEURISTIC_NAME = "heuristic.jsonl"


@dataclass(frozen=True)
class Fold:
    """One held-out article: the model's and the heuristic's scores on it.

    ``val_curve`` is the model's ``val/ap@0.5`` per epoch on the validation split of the
    training articles (the checkpoint kept is its best epoch); ``tuned`` the heuristic with
    ``tuned_settings``, fitted on the training articles.
    """

    article: str
    model: Scores
    heuristic: Scores
    train_seconds: float
    val_curve: tuple[float, ...] = ()
    tuned: Scores | None = None
    tuned_settings: dict[str, Any] | None = None

    @property
    def best_epoch(self) -> int | None:
        """The epoch (from 1) of the kept checkpoint, when the curve was logged."""
        if not self.val_curve:
            return None
        return max(range(len(self.val_curve)), key=lambda i: self.val_curve[i]) + 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fold:
        tuned = data.get("tuned")
        return cls(
            data["article"],
            Scores(**data["model"]),
            Scores(**data["heuristic"]),
            data["train_seconds"],
            tuple(data.get("val_curve") or ()),
            Scores(**tuned) if tuned else None,
            data.get("tuned_settings"),
        )


def annotated_by_article(shards: str) -> dict[str, list[str]]:
    """Annotated sample ids grouped by article, from the sample table."""
    rows, _ = sample_rows(shards)
    grouped: dict[str, list[str]] = {}
    for row in rows:
        if row.annotated:
            grouped.setdefault(row.article or "(no article)", []).append(row.id)
    return grouped


def heuristic_once(shards: str, keys: Sequence[str], out: Path) -> dict[str, RecordingSpans]:
    """The heuristic's spans for every annotated recording, computed once and saved."""
    path = out / HEURISTIC_NAME
    if path.exists():
        found, problems = read_span_file(path)
        if not problems and set(found) == set(keys):
            return found
    found = baseline_detections(shards, keys)
    write_span_file(path, found.values())
    return found


def run_fold(
    shards: str,
    config: str | Path,
    article: str,
    keys: Sequence[str],
    heuristic: dict[str, RecordingSpans],
    out_dir: Path,
    overrides: Sequence[str] = (),
) -> Fold:
    """Train without ``article``, then score model and heuristic on its recordings; the
    model's detections of them go to ``out_dir/detections.jsonl`` (a span file, for the stages
    after detection: ``terms align``, ``terms evaluate --detections``)."""
    from asl_stem.detect.inference import iter_detections, load_detector
    from asl_stem.training import train

    started = time.monotonic()
    checkpoint = train(
        config,
        [
            "--data.shards",
            shards,
            f"--data.exclude_articles={json.dumps([article])}",
            f"--trainer.default_root_dir={out_dir}",
            f"--trainer.logger.init_args.save_dir={out_dir}",
            *overrides,
        ],
    )
    seconds = time.monotonic() - started
    model = load_detector(checkpoint)
    detections, truths = {}, {}
    for detection in iter_detections(model, shards, keys=keys):
        detections[detection.recording_id] = detection.recording_spans()
        truths[detection.recording_id] = detection.truths or []
    write_span_file(out_dir / "detections.jsonl", detections.values())
    return Fold(
        article,
        score("model", detections, truths),
        score("heuristic", heuristic, _only(truths, heuristic)),
        seconds,
        validation_curve(out_dir),
    )


def validation_curve(run_dir: Path, metric: str = "val/ap@0.5") -> tuple[float, ...]:
    """``metric`` per epoch from the CSV log of a run (empty when it logged none)."""
    logs = sorted(run_dir.glob("**/metrics.csv"))
    if not logs:
        return ()
    by_epoch: dict[int, float] = {}
    with open(logs[-1], encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            value = row.get(metric) or ""
            if value and not math.isnan(float(value)):
                by_epoch[int(row["epoch"])] = float(value)
    return tuple(round(by_epoch[e], 4) for e in sorted(by_epoch))


def tune_fold(
    fold: Fold, inputs: HeuristicInputs, train_keys: Sequence[str], keys: Sequence[str]
) -> Fold:
    """``fold`` with the heuristic fitted on ``train_keys`` and scored on its ``keys``."""
    settings, _ = tune(inputs, train_keys)
    detections = inputs.detections(keys, settings)
    tuned = score("heuristic, tuned", detections, {k: inputs.truths[k] for k in keys})
    return replace(fold, tuned=tuned, tuned_settings=settings.to_dict())


def _only(truths: Truths, detections: dict[str, RecordingSpans]) -> Truths:
    """``truths`` of the recordings in ``detections`` (all of them, by construction)."""
    missing = sorted(set(truths) - set(detections))
    if missing:
        raise ValueError(f"the heuristic has no spans for {missing[:3]}; delete {HEURISTIC_NAME}")
    return truths


def leave_one_article_out(
    shards: str, config: str | Path, out_dir: str | Path, overrides: Sequence[str] = ()
) -> list[Fold]:
    """Every fold in article order; each fold's result is saved, so a rerun resumes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    by_article = annotated_by_article(shards)
    everyone = [k for ks in by_article.values() for k in ks]
    heuristic, inputs = None, None
    folds = []
    for number, (article, keys) in enumerate(sorted(by_article.items())):
        done = out / f"fold-{number}.json"
        fold = Fold.from_dict(read_json(done)) if done.exists() else None
        if fold is None:
            if heuristic is None:
                heuristic = heuristic_once(shards, everyone, out)
            log.info("fold %d: holding out %s (%d recordings)", number, article, len(keys))
            fold = run_fold(
                shards, config, article, keys, heuristic, out / f"fold-{number}", overrides
            )
            write_json(done, fold.to_dict())
        else:
            log.info("fold %d (%s): kept from an earlier run", number, article)
        if fold.tuned is None:
            inputs = inputs or HeuristicInputs.read(shards, everyone)
            training = [k for a, ks in by_article.items() if a != article for k in ks]
            fold = tune_fold(fold, inputs, training, keys)
            write_json(done, fold.to_dict())
        folds.append(fold)
    return folds


def report_markdown(folds: Sequence[Fold], title: str) -> str:
    """The per-fold table (AP@0.1, AP@0.5, mean IoU, frame F1; model vs heuristic) + mean."""
    lines = [
        f"### {title}",
        "",
        "| held-out article | recordings | AP@0.1 model | AP@0.1 heur. | AP@0.5 model | "
        "AP@0.5 heur. | mean IoU model | mean IoU heur. | frame F1 model | frame F1 heur. |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for fold in folds:
        lines.append(_row(fold.article, fold.model.recordings, [fold]))
    lines.append(_row("**mean**", sum(f.model.recordings for f in folds), folds))
    return "\n".join(lines) + "\n"


def _row(name: str, recordings: int, folds: Sequence[Fold]) -> str:
    def mean(system: str, metric: str) -> float:
        values = []
        for fold in folds:
            scores = getattr(fold, system)
            values.append(
                scores.ap[metric[3:]] if metric.startswith("ap@") else getattr(scores, metric)
            )
        return sum(values) / len(values)

    cells = [
        f"{mean(system, metric):.3f}"
        for metric in ("ap@0.1", "ap@0.5", "mean_iou", "f1")
        for system in ("model", "heuristic")
    ]
    return f"| {name} | {recordings} | " + " | ".join(cells) + " |"


START, END = "<!-- loao:start -->", "<!-- loao:end -->"


def write_report(folds: Sequence[Fold], path: str | Path, title: str, preamble: str) -> None:
    """Put the results between the LOAO markers of ``path`` (created if absent), atomically."""
    write_marked_block(path, "loao", f"{preamble.rstrip()}\n\n{report_markdown(folds, title)}")


def heuristic_folds(shards: str) -> list[dict[str, Any]]:
    """Per held-out article: the hand-set heuristic, and the one tuned on the other articles.

    No training: the heuristic's side of the folds alone, for runs that cannot afford the model.
    """
    by_article = annotated_by_article(shards)
    inputs = HeuristicInputs.read(shards, [k for ks in by_article.values() for k in ks])
    folds = []
    for article, keys in sorted(by_article.items()):
        training = [k for a, ks in by_article.items() if a != article for k in ks]
        settings, training_ap = tune(inputs, training)
        truths = {k: inputs.truths[k] for k in keys}
        hand_set = score("heuristic", inputs.detections(keys, DEFAULT_SETTINGS), truths)
        tuned = score("heuristic, tuned", inputs.detections(keys, settings), truths)
        folds.append(
            {
                "article": article,
                "hand_set": asdict(hand_set),
                "tuned": asdict(tuned),
                "tuned_settings": settings.to_dict(),
                "training_ap@0.5": round(training_ap, 4),
            }
        )
    return folds


def heuristic_markdown(folds: Sequence[dict[str, Any]]) -> str:
    """Hand-set against tuned heuristic per held-out article, with the tuned settings."""
    lines = [
        "| held-out article | recordings | AP@0.1 hand-set | AP@0.1 tuned | AP@0.5 hand-set | "
        "AP@0.5 tuned | mean IoU hand-set | mean IoU tuned | frame F1 hand-set | frame F1 tuned "
        "| tuned: window, angle / motion scale, onset / offset, median, min on / off |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for fold in folds:
        s, d = fold["tuned_settings"], fold["tuned_settings"]["decoding"]
        knobs = (
            f"{s['window']}, {s['angle_scale']:g} / {s['motion_scale']:g}, "
            f"{d['onset']:g} / {d['offset']:g}, {d['median']}, "
            f"{d['min_duration_on']} / {d['min_duration_off']}"
        )
        lines.append(_heuristic_row(fold["article"], [fold]) + f" {knobs} |")
    lines.append(_heuristic_row("**mean**", folds) + " |")
    return "\n".join(lines) + "\n"


def _heuristic_row(name: str, folds: Sequence[dict[str, Any]]) -> str:
    def mean(system: str, metric: str) -> float:
        rows = [fold[system] for fold in folds]
        values = [r["ap"][metric[3:]] if metric.startswith("ap@") else r[metric] for r in rows]
        return sum(values) / len(values)

    cells = [
        f"{mean(system, metric):.3f}"
        for metric in ("ap@0.1", "ap@0.5", "mean_iou", "f1")
        for system in ("hand_set", "tuned")
    ]
    recordings = sum(fold["tuned"]["recordings"] for fold in folds)
    return f"| {name} | {recordings} | " + " | ".join(cells) + " |"
