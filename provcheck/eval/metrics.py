"""Scores the evaluations share: ROC AUC, binary macro-F1, and the best threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """The probability that a positive scores above a negative (ties count half): the
    area under the ROC curve, by ranks (Mann-Whitney U)."""
    if not len(positive) or not len(negative):
        return float("nan")
    values = np.concatenate([np.asarray(positive, float), np.asarray(negative, float)])
    order = values.argsort(kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    # Average ranks over ties.
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
    ends = np.r_[starts[1:], len(values)]
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        ranks[order[s:e]] = (s + e + 1) / 2
    n_pos = len(positive)
    u = ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * len(negative)))


def macro_f1(truth: Sequence[bool], predicted: Sequence[bool]) -> float:
    """The mean of the F1 of the positive and of the negative class."""
    y = np.asarray(truth, bool)
    p = np.asarray(predicted, bool)
    scores = []
    for cls in (True, False):
        tp = int(((y == cls) & (p == cls)).sum())
        fp = int(((y != cls) & (p == cls)).sum())
        fn = int(((y == cls) & (p != cls)).sum())
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / 2


def best_threshold(truth: Sequence[bool], score: Sequence[float]) -> tuple[float, float]:
    """(macro-F1, threshold) of the threshold on ``score`` that scores best on these very
    data: an optimistic figure for a baseline, which no held-out set chose."""
    values = np.asarray(score, float)
    best = (0.0, 0.0)
    for threshold in np.unique(values):
        best = max(best, (macro_f1(truth, values >= threshold), float(threshold)))
    return best
