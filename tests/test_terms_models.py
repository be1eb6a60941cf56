"""The scorer's models as data: boosted trees and calibrators score like scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingClassifier

from asl_stem.terms.fitting import (
    _trees,
    best_threshold,
    fit_calibrator,
    grid_logits,
    train_model,
)
from asl_stem.terms.models import Calibrator, LinearModel, TreeModel, model_from_dict, sigmoid


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] + rng.normal(scale=0.5, size=400) > 0.3).astype(int)
    return x, y


def test_exported_trees_give_scikit_learns_logits(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = data
    boosted = GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0).fit(x, y)
    model = _trees(boosted, float(y.mean()))
    assert np.allclose(model.logits(x), boosted.decision_function(x))
    again = model_from_dict(model.to_dict())
    assert isinstance(again, TreeModel)
    assert np.allclose(again.logits(x), boosted.decision_function(x))


def test_linear_model_round_trip(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = data
    model = train_model("logistic", {"C": 1.0}, x, y)
    assert isinstance(model, LinearModel)
    assert np.allclose(model_from_dict(model.to_dict()).logits(x), model.logits(x))
    with pytest.raises(ValueError, match="unknown model"):
        train_model("forest", {}, x, y)


def test_calibrators_are_monotone_and_fix_a_miscalibrated_score() -> None:
    rng = np.random.default_rng(1)
    truth = rng.uniform(size=5000)
    y = (rng.uniform(size=5000) < truth).astype(int)
    logits = 3.0 * np.log(truth / (1 - truth))  # overconfident by a factor of three
    grid = np.linspace(-6, 6, 50)
    for kind in ("platt", "isotonic"):
        calibrator = Calibrator.from_dict(fit_calibrator(kind, logits, y).to_dict())
        assert np.all(np.diff(calibrator(grid)) >= 0)
        assert abs(calibrator(np.array([3.0 * np.log(0.7 / 0.3)]))[0] - 0.7) < 0.06
    platt = fit_calibrator("platt", logits, y)
    assert platt.a == pytest.approx(1 / 3, abs=0.05)
    assert np.allclose(Calibrator()(grid), sigmoid(grid))
    with pytest.raises(ValueError, match="calibration"):
        Calibrator.from_dict({"kind": "magic"})


def test_best_threshold_separates_a_clean_split() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.9])
    assert best_threshold(scores, np.array([0, 0, 0, 1, 1, 1])) == pytest.approx(0.6)


def test_a_grid_reads_smaller_forests_off_the_largest(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = data
    grid = [{"n_estimators": n, "max_depth": 2, "learning_rate": 0.1} for n in (10, 30)]
    small, large = grid_logits("boosting", grid, x[:300], y[:300], x[300:])
    alone = train_model("boosting", grid[0], x[:300], y[:300]).logits(x[300:])
    assert np.allclose(small, alone)
    assert not np.allclose(small, large)
