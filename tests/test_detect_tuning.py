"""The heuristic's settings are fitted on training recordings only, and fit them better."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
from detect_fixtures import make_toy_shards

from asl_stem.detect.baseline import DEFAULT_SETTINGS, HeuristicSettings, heuristic_spans
from asl_stem.detect.loao import heuristic_folds, heuristic_markdown
from asl_stem.detect.tuning import HeuristicInputs, tune, with_value
from asl_stem.shards.reader import iter_samples


def test_inputs_give_the_heuristic_spans_of_one_pass(tmp_path) -> None:
    make_toy_shards(tmp_path, count=3, frames=120)
    inputs = HeuristicInputs.read(str(tmp_path), ["toy-000", "toy-002"])
    assert sorted(inputs.truths) == ["toy-000", "toy-002"]
    found = inputs.detections(["toy-002"], DEFAULT_SETTINGS)["toy-002"]
    (sample,) = [s for s in iter_samples(str(tmp_path)) if s["key"] == "toy-002"]
    direct = heuristic_spans(sample["keypoints"], sample["is_valid"], "toy-002")
    assert [s.frames for s in found.spans] == [s.frames for s in direct]


def test_tuning_looks_only_at_the_keys_it_is_given(tmp_path, monkeypatch) -> None:
    make_toy_shards(tmp_path, count=6, frames=120)
    keys = [f"toy-{n:03d}" for n in range(6)]
    inputs = HeuristicInputs.read(str(tmp_path), keys)
    seen: set[str] = set()
    real = HeuristicInputs.detections

    def spy(self, wanted, settings):
        wanted = list(wanted)
        seen.update(wanted)
        return real(self, wanted, settings)

    monkeypatch.setattr(HeuristicInputs, "detections", spy)
    settings, value = tune(inputs, keys[:4], rounds=1)
    assert seen == set(keys[:4])
    assert value >= inputs.criterion(keys[:4], DEFAULT_SETTINGS)
    assert HeuristicSettings.from_dict(settings.to_dict()) == settings


def test_with_value_keeps_the_hysteresis_when_the_onset_moves() -> None:
    moved = with_value(DEFAULT_SETTINGS, "onset", 0.7)
    assert (moved.decoding.onset, moved.decoding.offset) == (0.7, np.float64(0.7) - 0.15)
    flat = with_value(DEFAULT_SETTINGS, "hysteresis", 0.0)
    assert flat.decoding.offset == flat.decoding.onset == 0.5
    assert with_value(DEFAULT_SETTINGS, "median", 5).decoding.median == 5
    assert with_value(DEFAULT_SETTINGS, "window", 9).window == 9


def test_heuristic_folds_tune_without_the_held_out_article(tmp_path, monkeypatch) -> None:
    make_toy_shards(tmp_path, count=6, frames=100, articles=("Alpha", "Beta"))
    tuned_on = []
    real = tune

    def spy(inputs, keys, *args, **kwargs):
        tuned_on.append(set(keys))
        return real(inputs, keys, rounds=1)

    monkeypatch.setattr("asl_stem.detect.loao.tune", spy)
    folds = heuristic_folds(str(tmp_path))
    assert [f["article"] for f in folds] == ["Alpha", "Beta"]
    assert tuned_on == [{"toy-001", "toy-003", "toy-005"}, {"toy-000", "toy-002", "toy-004"}]
    assert folds[0]["hand_set"]["recordings"] == folds[0]["tuned"]["recordings"] == 3
    table = heuristic_markdown(folds)
    assert "| Alpha | 3 |" in table and "| **mean** | 6 |" in table
    assert asdict(DEFAULT_SETTINGS)["window"] == 15
