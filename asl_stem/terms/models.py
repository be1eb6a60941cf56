"""The scorer's models as plain data: a linear model or boosted trees, and a score calibrator.

Each turns a feature matrix into logits (or raw probabilities into calibrated ones) with numpy
alone and round-trips through a JSON-able dict, so a fitted scorer is a data file, never a
pickle. Fitting lives in :mod:`asl_stem.terms.fitting` (scikit-learn); this module only scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression on standardised features: ``((x - mean) / scale) @ w + b``."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def logits(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "logistic",
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearModel:
        arrays = (np.asarray(data[key], dtype=float) for key in ("mean", "scale", "weights"))
        return cls(*arrays, float(data["bias"]))


@dataclass(frozen=True)
class TreeModel:
    """Gradient-boosted regression trees on log-odds: ``init + rate * sum(tree(x))``.

    Each tree is five arrays over its nodes (scikit-learn's layout): the feature tested (-1 at
    a leaf), the threshold (go left when ``x <= threshold``), the left and right children and
    the leaf value.
    """

    init: float
    rate: float
    trees: tuple[dict[str, np.ndarray], ...]

    @cached_property
    def _stacked(self) -> tuple[np.ndarray, ...]:
        """The trees' arrays stacked into (trees, nodes) matrices, padded with leaves."""
        size = max(len(tree["feature"]) for tree in self.trees)

        def stack(key: str, fill: float) -> np.ndarray:
            return np.array(
                [np.pad(t[key], (0, size - len(t[key])), constant_values=fill) for t in self.trees]
            )

        fills = (("feature", -1), ("threshold", 0), ("left", 0), ("right", 0), ("value", 0))
        return tuple(stack(key, fill) for key, fill in fills)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Every tree walked at once, one level per step (as many steps as the deepest tree)."""
        if not self.trees:
            return np.full(len(x), self.init)
        feature, threshold, left, right, value = self._stacked
        trees = np.arange(len(self.trees))[None, :]
        rows = np.arange(len(x))[:, None]
        node = np.zeros((len(x), len(self.trees)), dtype=int)
        while True:
            tested = feature[trees, node]
            inner = tested >= 0
            if not inner.any():
                break
            goes_left = x[rows, np.where(inner, tested, 0)] <= threshold[trees, node]
            step = np.where(goes_left, left[trees, node], right[trees, node])
            node = np.where(inner, step, node)
        return self.init + self.rate * value[trees, node].sum(axis=1)

    def first(self, n: int) -> TreeModel:
        """The model of the first ``n`` trees (what boosting had after ``n`` rounds)."""
        return TreeModel(self.init, self.rate, self.trees[:n])

    def to_dict(self) -> dict[str, Any]:
        trees = [{key: array.tolist() for key, array in tree.items()} for tree in self.trees]
        return {"kind": "boosting", "init": self.init, "rate": self.rate, "trees": trees}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TreeModel:
        kinds = {"feature": int, "threshold": float, "left": int, "right": int, "value": float}
        trees = tuple(
            {key: np.asarray(tree[key], dtype=kind) for key, kind in kinds.items()}
            for tree in data["trees"]
        )
        return cls(float(data["init"]), float(data["rate"]), trees)


Model = LinearModel | TreeModel


def model_from_dict(data: dict[str, Any]) -> Model:
    kind = data.get("kind")
    if kind == "logistic":
        return LinearModel.from_dict(data)
    if kind == "boosting":
        return TreeModel.from_dict(data)
    raise ValueError(f"unknown model kind {kind!r}; expected 'logistic' or 'boosting'")


@dataclass(frozen=True)
class Calibrator:
    """Maps a model's logits to probabilities that come true as often as they say.

    ``platt``: ``sigmoid(a * logit + b)``; ``isotonic``: a monotone step function of the raw
    probability, interpolated between its knots ``x`` -> ``y``; ``none``: the raw sigmoid.
    """

    kind: str = "none"
    a: float = 1.0
    b: float = 0.0
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()

    def __call__(self, logits: np.ndarray) -> np.ndarray:
        if self.kind == "platt":
            return sigmoid(self.a * logits + self.b)
        if self.kind == "isotonic":
            return np.interp(sigmoid(logits), self.x, self.y)
        return sigmoid(logits)

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "platt":
            return {"kind": "platt", "a": self.a, "b": self.b}
        if self.kind == "isotonic":
            return {"kind": "isotonic", "x": list(self.x), "y": list(self.y)}
        return {"kind": "none"}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        kind = data.get("kind", "none")
        if kind not in ("none", "platt", "isotonic"):
            raise ValueError(f"unknown calibration {kind!r}; expected none, platt or isotonic")
        return cls(
            kind,
            float(data.get("a", 1.0)),
            float(data.get("b", 0.0)),
            tuple(map(float, data.get("x", ()))),
            tuple(map(float, data.get("y", ()))),
        )
