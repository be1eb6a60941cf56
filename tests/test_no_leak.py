"""Leave-one-article-out never lets a held-out article reach fitting, validation or choices.

Spies sit where samples and rows enter training: the detector's training stream and its
validation reader, and the term scorer's ``fit`` (which chooses its threshold inside).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from detect_fixtures import make_toy_shards
from terms_fixtures import annotated, write_csv

import asl_stem.detect.data as data_module
import asl_stem.training as training
from asl_stem.detect.loao import leave_one_article_out
from asl_stem.shards.reader import sample_rows
from asl_stem.terms.evaluate import cross_validate
from asl_stem.terms.fitting import fit_scorer


def test_detector_folds_train_and_validate_without_their_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shards = tmp_path / "shards"
    make_toy_shards(shards, count=12, frames=100, articles=("Alpha", "Beta", "Gamma"))
    article_of = {row.id: row.article for row in sample_rows(shards)[0]}
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    fold = {"held_out": ""}

    real_train = training.train

    def spy_train(config, overrides, ckpt_path=None):
        (exclude,) = [o for o in overrides if o.startswith("--data.exclude_articles=")]
        fold["held_out"] = exclude.split("=", 1)[1].strip('[]"')
        return real_train(config, overrides, ckpt_path)

    class SpyStream:
        def __init__(self, stream):
            self.stream = stream

        def set_epoch(self, epoch):
            self.stream.set_epoch(epoch)

        def __iter__(self):
            for sample in self.stream:
                seen[(fold["held_out"], "train")].add(sample["key"])
                yield sample

    real_pipeline, real_iter = data_module.make_train_pipeline, data_module.iter_samples

    def spy_iter(*args, **kwargs):
        for sample in real_iter(*args, **kwargs):
            seen[(fold["held_out"], "validation")].add(sample["key"])
            yield sample

    monkeypatch.setattr(training, "train", spy_train)
    monkeypatch.setattr(
        data_module, "make_train_pipeline", lambda *a, **k: SpyStream(real_pipeline(*a, **k))
    )
    monkeypatch.setattr(data_module, "iter_samples", spy_iter)
    overrides = [
        "--model.debug=true",
        "--trainer.max_epochs=1",
        "--data.window_frames=64",
        "--data.num_workers=0",
        "--data.val_fraction=0.3",
        "--trainer.enable_progress_bar=false",
    ]
    folds = leave_one_article_out(
        str(shards), "models/detector-cpu.yaml", tmp_path / "f", overrides
    )
    assert [f.article for f in folds] == ["Alpha", "Beta", "Gamma"]
    for article in ("Alpha", "Beta", "Gamma"):
        trained, validated = seen[(article, "train")], seen[(article, "validation")]
        assert trained and validated, article  # the spies did see the fold's data
        assert {article_of[key] for key in trained | validated} <= {"Alpha", "Beta", "Gamma"}
        assert article not in {article_of[key] for key in trained | validated}
        assert not trained & validated  # validation recordings are never trained on


def test_term_scorer_folds_fit_without_their_article(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    fitted_on: list[set[str]] = []

    def spy_fit(training_rows):
        fitted_on.append({row.article for row in training_rows})
        return fit_scorer(training_rows)

    report = cross_validate(rows, fit=spy_fit)
    articles = sorted({row.article for row in rows})
    assert report["articles"] == len(articles) == len(fitted_on)
    for held_out, seen in zip(articles, fitted_on, strict=True):
        assert seen == set(articles) - {held_out}


def test_aligned_recordings_of_the_held_out_article_never_reach_its_fold(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    labelled = [row for row in rows if row.recording.interpreter == "u0"]
    aligned = [row for row in rows if row.recording.interpreter == "u1"]
    given: list[tuple[set[str], set[str]]] = []

    def spy_fit(training_rows, aligned):
        given.append(({row.article for row in training_rows}, {row.article for row in aligned}))
        return fit_scorer(training_rows, aligned=aligned, model="logistic")

    report = cross_validate(labelled, fit=spy_fit, aligned=aligned)
    assert report["aligned_recordings"] == len(aligned)
    articles = sorted({row.article for row in rows})
    for held_out, (trained, counted) in zip(articles, given, strict=True):
        assert trained == counted == set(articles) - {held_out}
