"""Viterbi and forward-backward over a chain of states given as costs (negative log-probs).

``emit`` is ``(N, S)``: the cost of item i in state s; ``moves[i]`` is ``(S, S)``: the cost of
going from item i's state to item i+1's. Infinite costs are impossible states or moves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import logsumexp


def best_path(emit: np.ndarray, moves: Sequence[np.ndarray]) -> list[int]:
    """The state sequence of least total cost (Viterbi)."""
    total = emit[0].copy()
    back = np.zeros(emit.shape, dtype=int)
    for i, move in enumerate(moves, start=1):
        options = total[:, None] + move
        back[i] = np.argmin(options, axis=0)
        total = options[back[i], np.arange(emit.shape[1])] + emit[i]
    path = [int(np.argmin(total))]
    for i in range(len(emit) - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    return path[::-1]


def posteriors(emit: np.ndarray, moves: Sequence[np.ndarray]) -> np.ndarray:
    """(N, S) probability of each item being in each state, over all paths (forward-backward)."""
    log_emit, log_moves = -emit, [-move for move in moves]
    alpha = np.empty(emit.shape)
    beta = np.zeros(emit.shape)
    alpha[0] = log_emit[0]
    for i, move in enumerate(log_moves, start=1):
        alpha[i] = logsumexp(alpha[i - 1][:, None] + move, axis=0) + log_emit[i]
    for i in range(len(emit) - 2, -1, -1):
        beta[i] = logsumexp(log_moves[i] + (log_emit[i + 1] + beta[i + 1])[None, :], axis=1)
    joint = alpha + beta
    return np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
