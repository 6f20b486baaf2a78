"""Fit the verdict model (``provcheck.verdict``) on the labelled examples
(``eval.examples``), print cross-validated scores, and write the model file.

Each data set weighs the same in the fit, whatever its size, and so do the two classes.
Scores are cross-validated by data set (each scored by a model fitted on the others) and
by five folds of stories within them; the held-out sets of the same kinds decide.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from provcheck.eval.examples import Example
from provcheck.eval.metrics import auc, macro_f1
from provcheck.verdict import DESCRIPTIONS

L2 = 1.0  # ridge penalty on the standardised weights


@dataclass
class Fitted:
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float = 0.5
    extra: dict[str, Any] = field(default_factory=dict)

    def probability(self, x: np.ndarray) -> np.ndarray:
        z = self.bias + ((x - self.mean) / self.scale) @ self.weights
        return 1 / (1 + np.exp(-np.clip(z, -40, 40)))

    def as_dict(self) -> dict[str, Any]:
        return {"features": self.features, "mean": _rounded(self.mean),
                "scale": _rounded(self.scale), "weights": _rounded(self.weights),
                "bias": round(self.bias, 4), "threshold": self.threshold}


def fit_logistic(features: Sequence[str], rows: Sequence[Mapping[str, float]], y: np.ndarray,
                 weight: np.ndarray, *, intercept: bool = True) -> Fitted:
    """Weighted logistic regression with a ridge penalty, by Newton's method, on inputs
    standardised to mean 0 and scale 1 (without an intercept: not centred, as the
    direction model's inputs are signed and 0 means no evidence)."""
    x = np.array([[r[f] for f in features] for r in rows], dtype=np.float64)
    w = weight / weight.sum() * len(weight)
    mean = (x * w[:, None]).sum(0) / w.sum() if intercept else np.zeros(x.shape[1])
    scale = np.sqrt(((x - mean) ** 2 * w[:, None]).sum(0) / w.sum())
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    design = np.c_[np.ones(len(z)), z] if intercept else z
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], L2)
    if intercept:
        penalty[0] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(design @ beta, -40, 40)))
        gradient = design.T @ (w * (p - y)) + penalty * beta
        hessian = (design.T * (w * p * (1 - p))) @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    bias, weights = (beta[0], beta[1:]) if intercept else (0.0, beta)
    return Fitted(list(features), mean, scale, weights, float(bias))


# Of the measured evidence, what generalises across the data sets (each scored by a model
# fitted on the others): every weight positive, as its meaning says it should be. The
# share of quotations, rarity, the longer side's coverage and the longest run added
# nothing out of set, or took weights of the wrong sign from the sets' differences.
REUSE_FEATURES = ["containment", "log_narration", "log_close", "similarity", "in_order"]
COPIED_FEATURES = ["copied_share", "log_run"]
# Not containment: which side holds more of the other points both ways in real data
# (METER's papers trim the agency's copy, PAN13's documents embed their sources).
DIRECTION_FEATURES = ["attribution", "agency_page", "earlier_minutes", "earlier_days",
                      "reported"]


def fit_all(examples: Sequence[Example]) -> dict[str, Fitted]:
    return {"reuse": _fit(examples, "reuse", REUSE_FEATURES),
            "copied": _fit(examples, "copied", COPIED_FEATURES),
            "direction": _fit(examples, "a_is_source", DIRECTION_FEATURES, intercept=False)}


def _chosen(examples: Sequence[Example], target: str) -> list[Example]:
    """The examples a model learns from: those labelled for it, and for ``reuse`` those
    the definitional floor (``provenance.MIN_NARRATION``) leaves to the model."""
    from provcheck.provenance import MIN_NARRATION

    out = [e for e in examples if getattr(e, target) is not None]
    if target == "reuse":
        out = [e for e in out if e.x["log_narration"] >= math.log1p(MIN_NARRATION)]
    return out


def _fit(examples: Sequence[Example], target: str, features: Sequence[str], *,
         intercept: bool = True) -> Fitted:
    chosen = _chosen(examples, target)
    rows = [e.dx if target == "a_is_source" else e.x for e in chosen]
    y = np.array([bool(getattr(e, target)) for e in chosen], dtype=np.float64)
    return fit_logistic(features, rows, y, _dataset_weights(chosen, y), intercept=intercept)


def _dataset_weights(examples: Sequence[Example], y: np.ndarray) -> np.ndarray:
    """Each data set weighs the same in all, and so do the two classes: most labelled
    pairs are reuse (PAN13 and the mutations hold almost nothing else), and without
    this the model would learn how common reuse is in those sets, not what tells it."""
    sizes: dict[str, int] = {}
    for e in examples:
        sizes[e.dataset] = sizes.get(e.dataset, 0) + 1
    weight = np.array([1 / sizes[e.dataset] for e in examples])
    for cls in (0.0, 1.0):
        chosen = y == cls
        if chosen.any():
            weight[chosen] *= 0.5 / weight[chosen].sum()
    return weight


def cross_validate(examples: Sequence[Example], folds: int = 5) -> dict[str, Any]:
    """Out-of-fold scores of each model: per data set, fitted on the others (leave one
    data set out), and by folds of groups (stories) across all."""
    out: dict[str, Any] = {}
    for target, features, intercept in (("reuse", REUSE_FEATURES, True),
                                        ("copied", COPIED_FEATURES, True),
                                        ("a_is_source", DIRECTION_FEATURES, False)):
        chosen = _chosen(examples, target)
        rows = [e.dx if target == "a_is_source" else e.x for e in chosen]
        y = np.array([bool(getattr(e, target)) for e in chosen])
        by_group = _out_of_fold(chosen, rows, y, features, intercept,
                                lambda e: zlib.crc32(e.group.encode()) % folds, folds)
        by_dataset = _out_of_fold(chosen, rows, y, features, intercept,
                                  lambda e: e.dataset, None)
        out[target] = {"folds": _scores(chosen, y, by_group, target),
                       "leave_one_dataset_out": _scores(chosen, y, by_dataset, target)}
    return out


def _out_of_fold(chosen: Sequence[Example], rows: Sequence[Mapping[str, float]], y: np.ndarray,
                 features: Sequence[str], intercept: bool, fold_of: Callable[[Example], Any],
                 _folds: int | None) -> np.ndarray:
    keys = [fold_of(e) for e in chosen]
    predicted = np.full(len(chosen), 0.5)
    for key in sorted(set(keys), key=str):
        test = np.array([k == key for k in keys])
        train = ~test
        if len(set(y[train].tolist())) < 2:
            continue
        model = fit_logistic(features, [r for r, t in zip(rows, train, strict=True) if t],
                             y[train].astype(np.float64),
                             _dataset_weights([e for e, t in zip(chosen, train, strict=True)
                                               if t], y[train]), intercept=intercept)
        x = np.array([[r[f] for f in features] for r, t in zip(rows, test, strict=True) if t])
        predicted[test] = model.probability(x)
    return predicted


def _scores(chosen: Sequence[Example], y: np.ndarray, p: np.ndarray, target: str,
            ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted({e.dataset for e in chosen}):
        mask = np.array([e.dataset == name for e in chosen])
        yy, pp = y[mask], p[mask]
        row: dict[str, Any] = {"pairs": int(mask.sum()), "positive": int(yy.sum())}
        if target == "a_is_source":
            confidence = np.maximum(pp, 1 - pp)
            right = (pp >= 0.5) == yy
            sure = confidence >= 0.8
            row.update(given=int((confidence >= 0.6).sum()),
                       right_when_given=_share(right[confidence >= 0.6]),
                       confident=int(sure.sum()), right_when_confident=_share(right[sure]))
        else:
            row.update(accuracy=_share((pp >= 0.5) == yy),
                       macro_f1=round(macro_f1(yy, pp >= 0.5), 4),
                       auc=round(auc(pp[yy], pp[~yy]), 4) if 0 < yy.sum() < len(yy)
                       else None)
        out[name] = row
    return out


def _share(flags: np.ndarray) -> float | None:
    return round(float(flags.mean()), 4) if len(flags) else None


def model_file(models: Mapping[str, Fitted], scores: Mapping[str, Any], counts: Mapping[str, Any],
               version: str) -> dict[str, Any]:
    return {"version": version,
            "fitted": {"on": counts, "cross_validated": scores,
                       "inputs": {f: DESCRIPTIONS.get(f, f) for m in models.values()
                                  for f in m.features}},
            "models": {name: m.as_dict() for name, m in models.items()}}


def counts_of(examples: Sequence[Example]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for e in examples:
        row = out.setdefault(e.dataset, {"pairs": 0, "reuse": 0, "copied": 0, "directed": 0})
        row["pairs"] += 1
        row["reuse"] += bool(e.reuse)
        row["copied"] += bool(e.copied)
        row["directed"] += e.a_is_source is not None
    return out


def format_model(models: Mapping[str, Fitted]) -> str:
    lines = []
    for name, m in models.items():
        lines.append(f"{name}: bias {m.bias:+.3f}, threshold {m.threshold}")
        for f, w, mu, s in zip(m.features, m.weights, m.mean, m.scale, strict=True):
            lines.append(f"  {f:18s} {w:+7.3f} per {s:.3g} above {mu:.3g}   "
                         f"({DESCRIPTIONS.get(f, f)})")
    return "\n".join(lines)


def format_scores(scores: Mapping[str, Any]) -> str:
    lines = []
    for target, by in scores.items():
        for how, rows in by.items():
            lines.append(f"{target}, {how.replace('_', ' ')}:")
            for name, row in rows.items():
                shown = ", ".join(f"{k} {v}" for k, v in row.items())
                lines.append(f"  {name:10s} {shown}")
    return "\n".join(lines)


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]
