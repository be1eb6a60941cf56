"""The demo's stages, timed, and what it saves for people to look at."""

from __future__ import annotations

import json
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from asl_stem.atomic import atomic_open, write_json
from asl_stem.corpus import Corpus
from asl_stem.corpus.recipe import prepare_asl_stem
from asl_stem.corpus.spanfile import read_span_file, write_span_file
from asl_stem.demo.figures import contact_sheet, plot_held_out, plotted_recordings
from asl_stem.demo.paths import DemoPaths
from asl_stem.demo.real_videos import Found, run_real_videos, save_found
from asl_stem.demo.timing import StageClock
from asl_stem.detect.evaluation import Evaluation, evaluate, format_table
from asl_stem.detect.inference import detect
from asl_stem.extract.run import extract
from asl_stem.extract.work import ExtractSettings
from asl_stem.synth.articles import load_articles
from asl_stem.synth.corpus import write_demo_corpus
from asl_stem.termindex import build_index
from asl_stem.terms import load_default_scorer
from asl_stem.terms.jobs import align_file
from asl_stem.training import train

log = logging.getLogger(__name__)

CPU_CONFIG = Path(__file__).resolve().parents[2] / "models" / "detector-cpu.yaml"
STAGES = 9


class DemoError(RuntimeError):
    """A stage of the demo did not run cleanly on the corpus the demo made itself."""


@dataclass(frozen=True)
class DemoResult:
    """What the demo shows at its end."""

    held_out: str
    held_out_recordings: int
    evaluation: Evaluation
    real_videos: list[Found]
    clock: StageClock
    paths: DemoPaths

    def table(self) -> str:
        """The held-out results (Markdown)."""
        return (
            f"Held-out article: {self.held_out} ({self.held_out_recordings} recordings)\n\n"
            + format_table(self.evaluation.rows)
        )


def check_arguments(articles: int, interpreters: int, workers: int, epochs: int | None) -> None:
    """Refuse settings the demo cannot run, before any stage starts."""
    bundled = len(load_articles())
    if not 2 <= articles <= bundled:
        raise ValueError(
            f"--articles {articles}: the demo needs 2 to {bundled} articles (one to train on at "
            "least, and one held out for the evaluation)"
        )
    for name, value in (("interpreters", interpreters), ("workers", workers)):
        if value < 1:
            raise ValueError(f"--{name} {value}: give at least 1")
    if epochs is not None and epochs < 1:
        raise ValueError(f"--epochs {epochs}: give at least 1 (or leave it out: the config's)")


def run_demo(
    out: str | Path,
    *,
    articles: int = 4,
    interpreters: int = 3,
    seed: int = 0,
    workers: int = 2,
    epochs: int | None = None,
    real_frames: int | None = None,
) -> DemoResult:
    """Run every stage into ``out``; save the results, figures and timings there.

    ``real_frames`` caps the frames MediaPipe reads from each real video (None: all).
    """
    check_arguments(articles, interpreters, workers, epochs)
    paths, clock = DemoPaths(Path(out)), StageClock(STAGES)
    with clock.stage("synth", f"{articles} articles x {interpreters} interpreters"):
        write_demo_corpus(
            paths.corpus, articles=articles, interpreters=interpreters, seed=seed, workers=workers
        )
    with clock.stage("ingest", str(paths.manifests)):
        _ingest(paths, workers)
    with clock.stage("extract (the corpus's keypoint files)", str(paths.shards)):
        summary = extract(
            paths.manifests, paths.shards, ExtractSettings(source="keypoints"), workers=workers
        )
        if summary.failures:
            raise DemoError(f"extraction failed for {summary.failures} recordings: {summary}")
    with clock.stage("ingest + extract two real videos (MediaPipe)", str(paths.real)):
        found = _real_videos_apart(paths.real, workers, real_frames)
        save_found(found, paths.real_json)
        for item in found:
            log.info("MediaPipe: %s", item.line())
    held_out = Corpus.from_dir(paths.manifests).article_titles()[-1]
    with clock.stage("train", f"{CPU_CONFIG.name} without {held_out!r}"):
        checkpoint = _train(paths, held_out, seed, epochs)
    with clock.stage("detect", str(paths.spans)):
        detect(checkpoint, str(paths.shards), paths.spans)
    with clock.stage("evaluate", f"the held-out article {held_out!r}"):
        evaluation, held = _evaluate(paths, held_out)
    with clock.stage("terms align + index build", str(paths.index)):
        _terms_and_index(paths)
    with clock.stage("figures", f"{paths.detection_plot.name}, {paths.contact_sheet.name}"):
        _figures(paths, checkpoint, held_out)
    result = DemoResult(held_out, held, evaluation, found, clock, paths)
    _save(result, articles, interpreters, seed, epochs)
    return result


def _real_videos_apart(folder: Path, workers: int, max_frames: int | None) -> list[Found]:
    """The real-video stage in a process of its own (its CPU time still counted: the child is
    reaped). MediaPipe run once in a process, then the training stages, then MediaPipe again
    in that process ended it with SIGPROF (seen when the test suite extracts after the demo);
    cause not found, so the demo leaves no MediaPipe state in its caller."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_real_videos, folder, workers, max_frames).result()


def _ingest(paths: DemoPaths, workers: int) -> None:
    result = prepare_asl_stem(paths.corpus, out=paths.manifests, workers=workers)
    if result.problems:
        raise DemoError(
            f"ingest reported {len(result.problems)} problems on the demo corpus "
            f"(see {paths.manifests / 'report.json'})"
        )


def _train(paths: DemoPaths, held_out: str, seed: int, epochs: int | None) -> Path:
    """Train the CPU config on every article but ``held_out``; return the checkpoint.

    The config validates on a share of the training articles' recordings and keeps the
    checkpoint best there: the held-out article chooses nothing.
    """
    overrides = [
        f"--data.shards={paths.shards}",
        f"--data.exclude_articles={json.dumps([held_out])}",
        f"--trainer.default_root_dir={paths.detector}",
        f"--trainer.logger.init_args.save_dir={paths.detector}",
        f"--seed_everything={seed}",
    ]
    if epochs is not None:
        overrides.append(f"--trainer.max_epochs={epochs}")
    return train(CPU_CONFIG, overrides)


def _evaluate(paths: DemoPaths, held_out: str) -> tuple[Evaluation, int]:
    """Score the held-out article's detections beside the heuristic."""
    held = {r.id for r in Corpus.from_dir(paths.manifests).recordings if r.article == held_out}
    detections, _ = read_span_file(paths.spans)
    write_span_file(paths.held_out_spans, [v for k, v in detections.items() if k in held])
    evaluation = evaluate(paths.held_out_spans, paths.manifests, baseline_shards=str(paths.shards))
    return evaluation, len(held)


def _terms_and_index(paths: DemoPaths) -> None:
    """Name the word each detected span spells, then build the app's term index."""
    scorer = load_default_scorer()
    align_file(paths.manifests, paths.aligned, scorer, spans=paths.spans)
    build_index(
        paths.manifests, out=paths.index, spans=paths.aligned, shards_dir=paths.shards,
        scorer=scorer,
    )  # fmt: skip


def _figures(paths: DemoPaths, checkpoint: Path, held_out: str) -> None:
    """The detection plot of a few held-out recordings, and a contact sheet of one term."""
    keys = plotted_recordings(paths.manifests, held_out)
    if not keys:
        raise DemoError(f"no recording of the held-out article {held_out!r} has a spelled term")
    spans = plot_held_out(checkpoint, paths.shards, keys, held_out, paths.detection_plot)
    contact_sheet(paths.corpus, paths.manifests, spans[0], paths.contact_sheet)


def _save(
    result: DemoResult, articles: int, interpreters: int, seed: int, epochs: int | None
) -> None:
    """results.md/.json and timings.md/.json."""
    paths = result.paths
    with atomic_open(paths.results_md) as handle:
        handle.write(result.table() + "\n")
    write_json(
        paths.results_json,
        {
            "held_out_article": result.held_out,
            "held_out_recordings": result.held_out_recordings,
            **result.evaluation.to_dict(),
        },
    )
    settings = {"articles": articles, "interpreters": interpreters, "seed": seed, "epochs": epochs}
    result.clock.save(paths.timings_md, paths.timings_json, {"settings": settings})
