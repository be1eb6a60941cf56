"""Leave-one-article-out, the protocol of the published ASL STEM Wiki baseline.

For each article: train on the others (the given config, usually the CPU one; its epochs and
checkpoint are chosen on a validation split of those other articles, never on the held-out
one), detect on the held-out article's recordings, and score the model beside the heuristic on
exactly those recordings. The folds come from the shard catalog's sample table, so no tar is
opened to plan them; the heuristic runs once over all annotated recordings, not once per fold.
The per-fold table and the mean go to a Markdown report.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from asl_stem.atomic import atomic_open, read_json, write_json
from asl_stem.corpus.spanfile import RecordingSpans, read_span_file, write_span_file
from asl_stem.detect.evaluation import Scores, Truths, baseline_detections, score
from asl_stem.shards.reader import sample_rows

log = logging.getLogger(__name__)
HEURISTIC_NAME = "heuristic.jsonl"


@dataclass(frozen=True)
class Fold:
    """One held-out article: the model's and the heuristic's scores on it."""

    article: str
    model: Scores
    heuristic: Scores
    train_seconds: float


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
    """Train without ``article``, then score model and heuristic on its recordings."""
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
    return Fold(
        article,
        score("model", detections, truths),
        score("heuristic", heuristic, _only(truths, heuristic)),
        seconds,
    )


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
    heuristic = None
    folds = []
    for number, (article, keys) in enumerate(sorted(by_article.items())):
        done = out / f"fold-{number}.json"
        if done.exists():
            data = read_json(done)
            folds.append(
                Fold(
                    data["article"],
                    Scores(**data["model"]),
                    Scores(**data["heuristic"]),
                    data["train_seconds"],
                )
            )
            log.info("fold %d (%s): kept from an earlier run", number, article)
            continue
        if heuristic is None:
            heuristic = heuristic_once(shards, [k for ks in by_article.values() for k in ks], out)
        log.info("fold %d: holding out %s (%d recordings)", number, article, len(keys))
        fold = run_fold(shards, config, article, keys, heuristic, out / f"fold-{number}", overrides)
        write_json(done, asdict(fold))
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
    """Put the results between the LOAO markers of ``path`` (created if absent), atomically.

    Text outside the markers is kept, so the results can live inside hand-written docs.
    """
    block = f"{START}\n{preamble.rstrip()}\n\n{report_markdown(folds, title)}{END}\n"
    target = Path(path)
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text + ("\n" if text else "") + block
    with atomic_open(target) as handle:
        handle.write(text)
