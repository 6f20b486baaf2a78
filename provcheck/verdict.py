"""The fitted verdict model: three small logistic models over a pair's evidence.

  * ``reuse``: does one text reuse the other's text (rather than share a fact, a stock
    phrase or a quotation)?
  * ``copied``: is the reused text copied (verbatim or lightly edited) rather than
    rewritten?
  * ``direction``: is side a the source? Its inputs are signed evidence for a (an
    attribution, an agency's own copy, an earlier time, containment), so it has no
    intercept: without evidence it says 0.5.

Each is ``sigmoid(bias + sum(weight * (x - mean) / scale))`` over the inputs ``inputs``
makes from the evidence; the weights are fitted by ``provcheck eval fit`` on labelled
data and kept in one versioned file, ``provcheck/data/verdict-model.json``, which the
report's settings name. Every term can be printed (``provcheck eval fit --show``) and
the largest ones are echoed in the evidence sentences.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from provcheck.records import Evidence, PairResult, Shared

MODEL_FILE = "verdict-model.json"

# What each input means, for the evidence sentences and for --show.
DESCRIPTIONS: Mapping[str, str] = {
    "containment": "share of the shorter text shared",
    "coverage_longer": "share of the longer text shared",
    "log_narration": "shared narration (log words)",
    "log_close": "narration shared closely: copied or closely reworded (log words)",
    "log_run": "longest verbatim stretch (log words)",
    "quoted": "share of the shared words in quotations",
    "copied_share": "share of the shared words copied or lightly edited",
    "similarity": "similarity of the passages",
    "in_order": "shared passages in the same order",
    "distinctive": "rarity of the shared words",
    "log_shared": "shared words (log)",
    "attribution": "one names the other's outlet as its source",
    "agency_page": "one is the agency's own copy",
    "earlier_minutes": "published earlier, timed to the minute",
    "earlier_days": "published earlier, by date",
    "contained": "its text nearly all inside the other's",
    "reported": "the other reports its quotations as speech",
}


def inputs(pair: PairResult, e: Shared) -> dict[str, float]:
    """The ``reuse`` and ``copied`` models' inputs for a pair and what it shares."""
    return {
        "containment": e.containment,
        "coverage_longer": pair.coverage_a + pair.coverage_b - e.containment,
        "log_narration": math.log1p(e.narration_words),
        "log_close": math.log1p(e.close_words),
        "log_run": math.log1p(e.longest_run),
        "quoted": e.quoted,
        "copied_share": e.verbatim + e.lightly_edited,
        "similarity": e.similarity,
        "in_order": e.in_order,
        "distinctive": e.distinctive,
        "log_shared": math.log1p(min(pair.shared_words_a, pair.shared_words_b)),
    }


def direction_inputs(pair: PairResult, e: Evidence,
                     pages: tuple[bool, bool] | None = None) -> dict[str, float]:
    """The ``direction`` model's inputs: each positive when it says a is the source.
    ``pages``: whether each side is the agency's own copy (default: as ``e`` says)."""
    gap = e.gap_hours or 0.0
    reported = e.reported
    page_a, page_b = e.pages if pages is None else pages
    return {
        # b names a's outlet as its source, or a names b's.
        "attribution": float(e.attributes[1]) - float(e.attributes[0]),
        "agency_page": float(page_a) - float(page_b),
        "earlier_minutes": math.tanh(gap / 6) if e.time_precision == "minute" else 0.0,
        "earlier_days": float(math.copysign(1, gap)) if e.time_precision == "day"
        and abs(gap) >= 24 else 0.0,
        "contained": pair.coverage_a - pair.coverage_b,
        "reported": float((reported[0] > 0) - (reported[1] > 0)),
    }


@dataclass(frozen=True, slots=True)
class Logistic:
    """One fitted logistic model."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Logistic:
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]),
                   tuple(data["weights"]), float(data["bias"]), float(data["threshold"]))

    def terms(self, x: Mapping[str, float]) -> dict[str, float]:
        """Each input's contribution to the log-odds."""
        return {f: w * (x[f] - m) / s for f, m, s, w in
                zip(self.features, self.mean, self.scale, self.weights, strict=True)}

    def probability(self, x: Mapping[str, float]) -> float:
        z = self.bias + sum(self.terms(x).values())
        return 1 / (1 + math.exp(-max(-40.0, min(40.0, z))))

    def strongest(self, x: Mapping[str, float], count: int = 3) -> list[tuple[str, float]]:
        """The inputs that weigh most in this pair's score, largest first (those that
        weigh nothing left out)."""
        terms = [(name, term) for name, term in self.terms(x).items() if abs(term) >= 0.05]
        return sorted(terms, key=lambda kv: -abs(kv[1]))[:count]


@dataclass(frozen=True, slots=True)
class VerdictModel:
    version: str
    reuse: Logistic
    copied: Logistic
    direction: Logistic


@lru_cache(maxsize=4)
def load(path: str | None = None) -> VerdictModel:
    """The verdict model in ``path``, by default the one shipped with provcheck."""
    if path is None:
        text = resources.files("provcheck.data").joinpath(MODEL_FILE).read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    data = json.loads(text)
    models = data["models"]
    return VerdictModel(version=data["version"], reuse=Logistic.of(models["reuse"]),
                        copied=Logistic.of(models["copied"]),
                        direction=Logistic.of(models["direction"]))


def explain(model: Logistic, x: Mapping[str, float], count: int = 3) -> str:
    """"share of the shorter text shared 0.92 (+2.1), ..." for the strongest terms."""
    return ", ".join(f"{DESCRIPTIONS.get(name, name)} {_shown(x[name])} ({term:+.1f})"
                     for name, term in model.strongest(x, count)) or "no evidence either way"


def _shown(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def as_dict(model: Logistic) -> dict[str, Any]:
    return {"features": list(model.features), "mean": list(model.mean),
            "scale": list(model.scale), "weights": list(model.weights), "bias": model.bias,
            "threshold": model.threshold}


def rounded(values: Sequence[float], digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]
