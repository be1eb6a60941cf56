"""Leave-one-article-out, the protocol of the published ASL STEM Wiki baseline.

For each article: train on the others (the given config, usually the CPU one), detect on the
held-out article's recordings, and score the model beside the heuristic on exactly those
recordings. The per-fold table and the mean go to a Markdown report.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from asl_stem.atomic import atomic_open, write_json
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.detect.evaluation import Scores, baseline_detections, score
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.sample import sample_spans

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fold:
    """One held-out article: the model's and the heuristic's scores on it."""

    article: str
    model: Scores
    heuristic: Scores
    train_seconds: float


def articles_of(shards: str) -> dict[str, dict[str, list[FingerspellingSpan]]]:
    """Annotated recordings' true spans, grouped by article."""
    grouped: dict[str, dict[str, list[FingerspellingSpan]]] = {}
    for sample in iter_samples(shards, num_points=NUM_BODY_POINTS):
        spans = sample_spans(sample)
        if spans is None:
            continue
        article = sample["meta"].get("article") or "(no article)"
        grouped.setdefault(article, {})[sample["key"]] = spans
    return grouped


def run_fold(
    shards: str,
    config: str | Path,
    article: str,
    truths: dict,
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
    detections = {
        d.recording_id: d.recording_spans()
        for d in iter_detections(model, shards, articles={article})
    }
    heuristic = baseline_detections(shards, truths)
    return Fold(
        article, score("model", detections, truths), score("heuristic", heuristic, truths), seconds
    )


def leave_one_article_out(
    shards: str, config: str | Path, out_dir: str | Path, overrides: Sequence[str] = ()
) -> list[Fold]:
    """Every fold in article order; each fold's result is saved, so a rerun resumes."""
    out = Path(out_dir)
    folds = []
    for number, (article, truths) in enumerate(sorted(articles_of(shards).items())):
        done = out / f"fold-{number}.json"
        if done.exists():
            data = json.loads(done.read_text(encoding="utf-8"))
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
        log.info("fold %d: holding out %s (%d recordings)", number, article, len(truths))
        fold = run_fold(shards, config, article, truths, out / f"fold-{number}", overrides)
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
