"""What to annotate next: signals, the spread over articles and interpreters, the worklist."""

from __future__ import annotations

import csv

import lightning as L
import numpy as np
import pytest
from detect_fixtures import make_toy_shards, toy_recording, toy_spans
from shared_data import SHARED_DATA

from asl_stem.annotate.selection import (
    RecordingSignals,
    expected_terms,
    mean_entropy,
    rank_pool,
)
from asl_stem.annotate.worklist import WORKLIST_COLUMNS, read_recording_list
from asl_stem.cli import main
from asl_stem.detect.data import FingerspellingData
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, write_catalog
from asl_stem.shards.writer import Sample, plan_shards, write_shard
from asl_stem.terms import load_default_scorer

SENTENCES = {
    "Acid catalysis": ("Acid catalysis speeds up esterification.", "It is very common."),
    "Graphene": ("Graphene is an allotrope of carbon.", "It is very strong."),
}
PEOPLE = ("u1", "u2", "u3")
LEXICON = SHARED_DATA / "asl-lex" / "signdata.csv"


def signals(article: str, person: str, sentence: str, uncertainty: float) -> RecordingSignals:
    key = f"{article}-{person}-{sentence}".replace(" ", "")
    return RecordingSignals(key, f"{key}.mp4", article, person, sentence, uncertainty, 1, 1.0, ())


def test_mean_entropy_is_one_bit_for_a_coin_toss_and_zero_when_certain():
    assert mean_entropy(np.full(10, 0.5)) == pytest.approx(1.0)
    assert mean_entropy(np.array([0.0, 1.0])) == pytest.approx(0.0, abs=1e-5)
    assert mean_entropy(np.zeros(0)) == 0.0


def test_expected_terms_counts_non_overlapping_candidates_once():
    scorer = load_default_scorer()
    total, likely = expected_terms(scorer, "Brønsted–Lowry acids donate a proton.", "Acid")
    found, scores = scorer.score_candidates("Brønsted–Lowry acids donate a proton.", article="Acid")
    assert 0 < total < scores.sum()  # the compound and its parts are not all counted
    assert set(likely) <= {
        c.text for c, s in zip(found, scores, strict=True) if s >= scorer.threshold
    }
    assert len({t.lower() for t in likely}) == len(likely)


def test_picks_spread_over_articles_even_when_one_article_is_more_uncertain():
    pool = [signals("A", p, f"a{n}", 0.9 + n / 100) for n in range(3) for p in PEOPLE]
    pool += [signals("B", p, f"b{n}", 0.1 + n / 100) for n in range(3) for p in PEOPLE]
    picks = rank_pool(pool, 4)
    assert [p.signals.article for p in picks] == ["A", "B", "A", "B"]
    assert len({p.signals.interpreter for p in picks}) == 3
    assert picks[0].reason.startswith("uncertain detector")
    assert [p.rank for p in picks] == [1, 2, 3, 4]


def test_a_sentence_is_not_picked_again_while_others_are_close():
    pool = [signals("A", p, "same", 0.9) for p in PEOPLE] + [signals("A", "u1", "other", 0.85)]
    picks = rank_pool(pool, 2)
    assert [p.signals.sentence for p in picks] == ["same", "other"]


def test_a_budget_over_the_pool_takes_the_whole_pool():
    pool = [signals("A", "u1", "one", 0.5), signals("A", "u2", "two", 0.4)]
    assert len(rank_pool(pool, 10)) == 2
    with pytest.raises(ValueError, match="at least one"):
        rank_pool(pool, 0)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A real (one-step) checkpoint of the debug network trained on toy shards."""
    folder = tmp_path_factory.mktemp("train")
    make_toy_shards(folder / "shards", count=4, frames=100)
    trainer = L.Trainer(fast_dev_run=True, accelerator="cpu", default_root_dir=folder,
                        enable_progress_bar=False, logger=False)  # fmt: skip
    model = FingerspellingDetector(debug=True)
    trainer.fit(model, datamodule=FingerspellingData(str(folder / "shards"), window_frames=64))
    trainer.save_checkpoint(folder / "model.ckpt")
    return folder / "model.ckpt"


@pytest.fixture(scope="module")
def pool_shards(tmp_path_factory):
    """12 recordings (2 articles x 2 sentences x 3 interpreters); two of them annotated."""
    folder = tmp_path_factory.mktemp("pool")
    rng = np.random.default_rng(1)
    samples, annotated = {}, {"catalysis-u1-0", "graphene-u1-0"}
    for article, sentences in SENTENCES.items():
        for number, sentence in enumerate(sentences):
            for person in PEOPLE:
                key = f"{article.split()[-1].lower()}-{person}-{number}"
                spans = toy_spans(rng, 120)
                meta = {"recording_id": key, "filename": f"{key}.mp4", "article": article,
                        "interpreter": person, "sentence": sentence}  # fmt: skip
                if key in annotated:
                    meta["spans"] = [{"start_frame": s, "end_frame": e, "text": "catalysis"}
                                     for s, e in spans]  # fmt: skip
                samples[key] = Sample(key, toy_recording(rng, 120, spans), meta)
    plans = plan_shards(samples, 4)
    entries = [write_shard(folder, p, [samples[k] for k in p.recording_ids]) for p in plans]
    write_catalog(folder, ShardCatalog({"source": "toy"}, len(plans), entries, KeypointHeader(75)))
    return folder, annotated


def test_select_writes_a_spread_worklist_of_unannotated_recordings(
    checkpoint, pool_shards, tmp_path
):
    shards, annotated = pool_shards
    out = tmp_path / "worklist.csv"
    assert main(["annotate", "select", str(checkpoint), str(shards), "--budget", "4",
                 "--out", str(out)]) == 0  # fmt: skip
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == WORKLIST_COLUMNS
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4]
    assert not {r["recording_id"] for r in rows} & annotated
    assert {r["article"] for r in rows} == set(SENTENCES)
    assert len({r["interpreter"] for r in rows}) >= 2
    assert all(r["reason"] for r in rows)
    unseen = {term for r in rows for term in r["unseen_terms"].split("; ") if term}
    assert "catalysis" not in unseen  # annotated recordings have spelled it already
    assert read_recording_list(out) == [r["recording_id"] for r in rows]  # export reads it


def test_select_refuses_shards_with_nothing_to_pick(checkpoint, tmp_path):
    make_toy_shards(tmp_path / "shards", count=2, frames=80)  # every sample is annotated
    code = main(["annotate", "select", str(checkpoint), str(tmp_path / "shards"), "--budget",
                 "2", "--out", str(tmp_path / "w.csv")])  # fmt: skip
    assert code == 2 and not (tmp_path / "w.csv").exists()


def test_select_reads_the_lexicon_for_the_scorer_fitted_with_it(checkpoint, pool_shards, tmp_path):
    shards, annotated = pool_shards
    out = tmp_path / "worklist.csv"
    assert main(["annotate", "select", str(checkpoint), str(shards), "--budget", "3",
                 "--out", str(out), "--lexicon", str(LEXICON)]) == 0  # fmt: skip
    ids = read_recording_list(out)
    assert len(ids) == 3 and not set(ids) & annotated
