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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from provcheck.records import Evidence, PairResult, Shared

MODEL_FILE = "verdict-model.json"

# What each input means, for the evidence sentences and for the fit's printout.
DESCRIPTIONS: Mapping[str, str] = {
    "containment": "share of the shorter text shared",
    "log_narration": "shared narration (log of words)",
    "log_close": "narration copied or closely reworded (log of words)",
    "log_run": "longest stretch word for word (log of words)",
    "copied_share": "share of the shared words copied or lightly edited",
    "similarity": "similarity of the passages",
    "in_order": "share kept in the same order",
    "attribution": "one names the other's outlet as its source",
    "agency_page": "one is the agency's own copy",
    "earlier_minutes": "published earlier, timed to the minute",
    "earlier_days": "published earlier, by date",
    "reported": "the other reports its quotations as speech",
}
# How an input is shown to a reader: words for the logs, shares as percentages.
_SHOWN: Mapping[str, Callable[[float], str]] = {
    "containment": lambda v: f"{v:.0%}",
    "log_narration": lambda v: f"{math.expm1(v):.0f} words",
    "log_close": lambda v: f"{math.expm1(v):.0f} words",
    "log_run": lambda v: f"{math.expm1(v):.0f} words",
    "copied_share": lambda v: f"{v:.0%}",
    "similarity": lambda v: f"{v:.2f}",
    "in_order": lambda v: f"{v:.0%}",
}
_NAMES: Mapping[str, str] = {  # the inputs as a reader would call them
    "containment": "shorter text shared",
    "log_narration": "narration shared",
    "log_close": "copied or closely reworded",
    "log_run": "longest stretch word for word",
    "copied_share": "copied or lightly edited",
    "similarity": "similarity",
    "in_order": "in the same order",
    "attribution": "an attribution",
    "agency_page": "the agency's own copy",
    "earlier_minutes": "the earlier time",
    "earlier_days": "the earlier date",
    "reported": "quotations reported as speech",
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


def explain(model: Logistic, x: Mapping[str, float], count: int = 3, *,
            toward: int = 1) -> str:
    """The strongest terms of a score, as a reader reads them: "narration shared 870
    words (+3.3), shorter text shared 92% (+2.1)". ``toward`` -1 turns the signs of a
    direction's terms toward side b, when b is the source said."""
    return ", ".join(
        f"{_NAMES.get(name, name)}{' ' + _SHOWN[name](x[name]) if name in _SHOWN else ''} "
        f"({toward * term:+.1f})"
        for name, term in model.strongest(x, count)) or "no evidence either way"


def as_dict(model: Logistic) -> dict[str, Any]:
    return {"features": list(model.features), "mean": list(model.mean),
            "scale": list(model.scale), "weights": list(model.weights), "bias": model.bias,
            "threshold": model.threshold}


def rounded(values: Sequence[float], digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]
