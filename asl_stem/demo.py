"""``asl-stem demo``: every stage of the pipeline on a corpus the toolkit makes itself.

synth -> ingest -> extract (from the corpus's keypoints) -> train (CPU config, one article held
out) -> detect -> evaluate (held-out article, model beside the heuristic) -> terms align ->
index build. Each stage writes into its own folder under ``out``; the stages that resume
(synth, ingest, extract) make a rerun cheap.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CPU_CONFIG = Path(__file__).resolve().parents[1] / "models" / "detector-cpu.yaml"


@dataclass(frozen=True)
class DemoPaths:
    """Where each stage of the demo writes."""

    root: Path

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    @property
    def shards(self) -> Path:
        return self.root / "shards"

    @property
    def detector(self) -> Path:
        return self.root / "detector"

    @property
    def spans(self) -> Path:
        return self.root / "spans.jsonl"

    @property
    def held_out_spans(self) -> Path:
        return self.root / "spans-held-out.jsonl"

    @property
    def aligned(self) -> Path:
        return self.root / "terms-aligned.jsonl"

    @property
    def index(self) -> Path:
        return self.root / "index.sqlite"


def run_demo(
    out: str | Path,
    *,
    articles: int = 4,
    interpreters: int = 3,
    seed: int = 0,
    workers: int = 2,
    epochs: int | None = None,
) -> str:
    """Run the whole pipeline into ``out``; return the evaluation table (Markdown)."""
    from asl_stem.corpus.recipe import prepare_asl_stem
    from asl_stem.extract.run import extract
    from asl_stem.extract.work import ExtractSettings
    from asl_stem.synth.corpus import write_demo_corpus

    paths = DemoPaths(Path(out))
    log.info("1/7 synth: %d articles x %d interpreters", articles, interpreters)
    write_demo_corpus(
        paths.corpus, articles=articles, interpreters=interpreters, seed=seed, workers=workers
    )
    log.info("2/7 ingest -> %s", paths.manifests)
    result = prepare_asl_stem(paths.corpus, out=paths.manifests, workers=workers)
    if result.problems:
        raise RuntimeError(
            f"ingest reported {len(result.problems)} problems on the demo corpus "
            f"(see {paths.manifests / 'report.json'})"
        )
    log.info("3/7 extract (keypoints) -> %s", paths.shards)
    summary = extract(
        paths.manifests, paths.shards, ExtractSettings(source="keypoints"), workers=workers
    )
    if summary.failures:
        raise RuntimeError(f"extraction failed for {summary.failures} recordings: {summary}")
    held_out = _held_out_article(paths.manifests)
    checkpoint = _train(paths, held_out, seed, epochs)
    table = _detect_and_evaluate(paths, checkpoint, held_out)
    _terms_and_index(paths)
    return table


def _held_out_article(manifest_dir: Path) -> str:
    """The last article (by title): the demo's evaluation never sees it in training."""
    from asl_stem.corpus import Corpus

    titles = Corpus.from_dir(manifest_dir).article_titles()
    if len(titles) < 2:
        raise ValueError("the demo needs at least 2 articles: one to train on, one held out")
    return titles[-1]


def _train(paths: DemoPaths, held_out: str, seed: int, epochs: int | None) -> Path:
    """Train the CPU config on every article but ``held_out``; return the checkpoint."""
    from asl_stem.training import train

    log.info("4/7 train %s without %r", CPU_CONFIG.name, held_out)
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


def _detect_and_evaluate(paths: DemoPaths, checkpoint: Path, held_out: str) -> str:
    """Detect spans in every recording; score the held-out article's beside the heuristic."""
    from asl_stem.corpus import Corpus
    from asl_stem.corpus.spanfile import read_span_file, write_span_file
    from asl_stem.detect.evaluation import evaluate, format_table
    from asl_stem.detect.inference import detect

    log.info("5/7 detect -> %s", paths.spans)
    detect(checkpoint, str(paths.shards), paths.spans)
    recordings = Corpus.from_dir(paths.manifests).recordings
    held = {r.id for r in recordings if r.article == held_out}
    detections, _ = read_span_file(paths.spans)
    rows = [item for key, item in detections.items() if key in held]
    write_span_file(paths.held_out_spans, rows)
    log.info("6/7 evaluate on the held-out article %r (%d recordings)", held_out, len(rows))
    evaluation = evaluate(paths.held_out_spans, paths.manifests, baseline_shards=str(paths.shards))
    return f"Held-out article: {held_out} ({len(rows)} recordings)\n\n" + format_table(
        evaluation.rows
    )


def _terms_and_index(paths: DemoPaths) -> None:
    """Name the word each detected span spells, then build the app's term index."""
    from asl_stem.termindex import build_index
    from asl_stem.terms import load_default_scorer
    from asl_stem.terms.jobs import align_file

    scorer = load_default_scorer()
    log.info("7/7 terms align + index build -> %s", paths.index)
    align_file(paths.manifests, paths.aligned, scorer, spans=paths.spans)
    build_index(
        paths.manifests,
        out=paths.index,
        spans=paths.aligned,
        shards_dir=paths.shards,
        scorer=scorer,
    )
