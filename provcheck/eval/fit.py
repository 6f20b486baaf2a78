"""Fit the verdict model (``provcheck.verdict``) on labelled data, print cross-validated
scores, and write the model file.

The examples are related pairs as ``compare`` aligns them (all of them, unrelated ones
included), each with its evidence and what is known of it:
  * METER dev: a newspaper text and a PA text of its story, derived or not (the paper's
    label; of a derived paper, only its best-covered PA pair, as the paper may have used
    one PA text and not the others); the PA text is the source;
  * PAN13 train: the labelled pairs, reuse in 02-05 (02 copied, 03-05 rewritten), none
    in 01 (not for the direction: its documents are compilations made for the task);
  * the news-wire dev pairs judged by reading them (``labels/news-wire-dev.csv``);
  * the PolNeAR train pairs judged likewise (``labels/polnear-train.csv``): news on
    one campaign, where most pairs share a stock phrase or a fact, a few are updates;
  * real PolNeAR articles reused by ``mutations`` (syndicated, edited, paraphrased,
    partial), some naming their source, stamped with scrape times (see ``_mutations``).
Each data set weighs the same in the fit, whatever its size. Scores are
cross-validated by data set (each scored by a model fitted on the others) and by five
folds of stories within them; the held-out sets of the same kinds decide.
"""

from __future__ import annotations

import json
import math
import tempfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from provcheck.engine import LocalEngine
from provcheck.eval import meter, pan13, polnear
from provcheck.eval.metrics import auc, macro_f1
from provcheck.eval.mutations import KINDS, WordChain, derive
from provcheck.eval.wire import LABELS, load_labels
from provcheck.records import PairResult, Report
from provcheck.settings import Settings
from provcheck.verdict import DESCRIPTIONS, direction_inputs, inputs

COPIED_LABELS = {"duplicate", "copy", "syndicated"}
ATTRIBUTED = 0.3  # of the mutated stories name their source: see ``_mutations``
CRAWL_HOURS = 6.0  # mean delay between publication and the scrape time that stands for it
REUSE_LABELS = COPIED_LABELS | {"paraphrase"}
L2 = 1.0  # ridge penalty on the standardised weights


@dataclass
class Example:
    """One aligned pair and what is known of it (None: not known)."""

    dataset: str
    group: str  # pairs of one group (a story, a source document) share a fold
    x: dict[str, float]
    dx: dict[str, float]
    reuse: bool | None
    copied: bool | None = None
    a_is_source: bool | None = None
    pair: PairResult | None = None  # kept for inspection (``provcheck eval fit --dump``)


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


# --- examples from the labelled data ---------------------------------------------------

def collect(data: Path, settings: Settings, *, mutated: int = 400,
            progress: Callable[[str], None] = print) -> list[Example]:
    """Every labelled example of the four data sets under ``data``."""
    out: list[Example] = []
    for name, make in (("meter", _meter), ("pan13", _pan13), ("wire", _wire),
                       ("polnear", _polnear),
                       ("mutations", lambda d, s: _mutations(d, s, mutated))):
        found = make(data, settings)
        progress(f"{name}: {len(found)} labelled pairs "
                 f"({sum(bool(e.reuse) for e in found)} reuse)")
        out += found
    return out


def _example(dataset: str, group: str, pair: PairResult, reuse: bool | None,
             copied: bool | None = None, source: str | None = None) -> Example:
    assert pair.evidence is not None
    return Example(dataset, group, inputs(pair, pair.evidence),
                   direction_inputs(pair, pair.evidence), reuse, copied,
                   None if source is None else source == pair.a, pair)


def _meter(data: Path, settings: Settings) -> list[Example]:
    root = meter.corpus_root(str(data / "meter-dev.tar.gz"))
    texts = meter.load(root)
    report = meter.run(root, texts, settings, keep_unrelated=True)
    by_path = {str(t.path): t for t in texts}
    text_of = {d.id: by_path[d.path] for d in report.documents if d.path in by_path}
    best: dict[str, tuple[float, PairResult, str]] = {}
    out = []
    for pair in report.pairs:
        first, second = text_of.get(pair.a), text_of.get(pair.b)
        if first and second and _catchline(first) != _catchline(second):
            # Stories of different events: what they share is court or showbiz stock.
            out.append(_example("meter", min(first.story, second.story), pair, False))
            continue
        for paper_id, agency_id, coverage in ((pair.a, pair.b, pair.coverage_a),
                                              (pair.b, pair.a, pair.coverage_b)):
            paper, agency = text_of.get(paper_id), text_of.get(agency_id)
            if not (paper and agency and paper.paper and agency.paper is None
                    and paper.story == agency.story):
                continue
            if paper.label == "non":
                out.append(_example("meter", paper.story, pair, False))
            elif coverage > best.get(paper_id, (-1.0,))[0]:
                best[paper_id] = (coverage, pair, agency_id)
    for paper_id, (_, pair, agency_id) in best.items():
        out.append(_example("meter", text_of[paper_id].story, pair, True, None, agency_id))
    return out


def _catchline(text: meter.Text) -> str:
    """The story's catchline ("jones"): a story followed over several days keeps it."""
    return text.story.rsplit("/", 1)[-1]


def _pan13(data: Path, settings: Settings) -> list[Example]:
    from provcheck.pipeline import compare

    root = pan13.corpus_root(str(data / "pan13-train.tar.gz"))
    pairs = pan13.load_pairs(root, None, 0)
    report = compare([str(root / "susp"), str(root / "src")], settings,
                     engine=LocalEngine(settings.jobs), keep_unrelated=True)
    found = {frozenset((p.a, p.b)): p for p in report.pairs}
    out = []
    for labelled in pairs:
        susp, src = Path(labelled.susp).stem, Path(labelled.src).stem
        pair = found.get(frozenset((susp, src)))
        if pair is None:
            continue
        reuse = labelled.kind != pan13.TYPES[0]
        copied = labelled.kind == pan13.TYPES[1] if reuse else None
        # No direction: the suspicious documents are compilations made for the task, and
        # the dates their texts print are their sources' pages', not their own.
        out.append(_example("pan13", src, pair, reuse, copied))
    return out


def _wire(data: Path, settings: Settings) -> list[Example]:
    from provcheck.eval.wire import corpus
    from provcheck.pipeline import compare

    folder, meta = corpus(str(data / "news-wire-dev.tar.gz"), None)
    report = compare([str(folder)], settings, meta=str(meta),
                     engine=LocalEngine(settings.jobs), keep_unrelated=True)
    return _judged("wire", report, "news-wire-dev.csv",
                   lambda a, origin: f"{a.split('_')[0]}:{origin or a}")


def _polnear(data: Path, settings: Settings) -> list[Example]:
    """PolNeAR's train split, with its publishers and dates: most aligned pairs share a
    stock phrase or a fact about the same campaign; a few are an outlet's updates."""
    from provcheck.pipeline import compare

    root = polnear.corpus_root(str(data / "polnear-train-dev.tar.gz"))
    with tempfile.TemporaryDirectory() as tmp:
        manifest = polnear.write_manifest(root, Path(tmp) / "meta.csv")
        report = compare([str(root / "train" / "text")], settings, meta=str(manifest),
                         engine=LocalEngine(settings.jobs), keep_unrelated=True)
    return _judged("polnear", report, "polnear-train.csv", lambda a, origin: a)


def _judged(dataset: str, report: Report, labels: str,
            group: Callable[[str, str], str]) -> list[Example]:
    """The pairs of ``report`` judged in ``labels``; ``group(first id, origin)`` names
    the fold a pair goes to."""
    judged_pairs = load_labels(str(LABELS / labels))
    out = []
    for pair in report.pairs:
        judged = judged_pairs.get(frozenset((pair.a, pair.b)))
        if judged is None:
            continue
        reuse = judged.relation in REUSE_LABELS
        copied = judged.relation in COPIED_LABELS if reuse else None
        out.append(_example(dataset, group(min(pair.a, pair.b), judged.origin), pair, reuse,
                            copied, judged.source or None))
    return out


def _mutations(data: Path, settings: Settings, count: int) -> list[Example]:
    """Real PolNeAR articles (train split) and, for ``count`` of them, a story reusing
    one by each kind of mutation in turn, by another outlet, 1-48 hours later. As on
    real pages: ``ATTRIBUTED`` of the reusing stories name the source's outlet ("first
    reported by ..."); times are scrape times, each publication plus a crawl delay
    (exponential, mean ``CRAWL_HOURS``), so a story scraped late can look older than its
    copy; a fifth carry dates only."""
    from provcheck.pipeline import compare

    root = polnear.corpus_root(str(data / "polnear-train-dev.tar.gz"))
    articles = sorted((root / "train" / "text").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in articles]
    chain = WordChain.of(texts)
    rng = np.random.default_rng(20261204)
    order = rng.permutation(len(texts))
    sources, fresh = order[:count], order[count:]
    records, truth = [], {}
    start = datetime(2016, 1, 1, 8, 0)
    for n, k in enumerate(sources.tolist()):
        kind = KINDS[n % len(KINDS)]
        outlet, other_outlet = f"Outlet {n % 37}", f"Outlet {n % 37 + 37}"
        published = start + timedelta(hours=int(rng.integers(0, 24 * 300)))
        copied = published + timedelta(minutes=int(rng.integers(60, 48 * 60)))
        when, later = (t + timedelta(hours=float(rng.exponential(CRAWL_HOURS)))
                       for t in (published, copied))
        dated = rng.random() < 0.2
        source = {"id": f"src{n:04d}", "title": texts[k].split("\n", 1)[0],
                  "text": texts[k].strip()}
        other = texts[int(fresh[n % len(fresh)])]
        title, paragraphs = derive(chain, rng, kind, source, _sentences_of(other))
        if rng.random() < ATTRIBUTED:
            at = int(rng.integers(0, len(paragraphs) + 1))
            paragraphs.insert(at, f"The story was first reported by {outlet}.")
        records.append({**source, "outlet": outlet, "published": _stamp(when, dated)})
        records.append({"id": f"der{n:04d}", "title": title, "outlet": other_outlet,
                        "published": _stamp(later, dated),
                        "text": "\n\n".join([title, *paragraphs])})
        truth[frozenset((source["id"], f"der{n:04d}"))] = (kind, source["id"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        report = compare([str(path)], settings, engine=LocalEngine(settings.jobs),
                         keep_unrelated=True)
    out = []
    for pair in report.pairs:
        known = truth.get(frozenset((_bare(pair.a), _bare(pair.b))))
        if known is not None:
            kind, source = known
            source_id = pair.a if _bare(pair.a) == source else pair.b
            out.append(_example("mutations", source, pair, True, kind != "paraphrased",
                                source_id))
    return out


def _bare(doc_id: str) -> str:
    return doc_id.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _sentences_of(text: str) -> list[str]:
    import re

    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s) > 12]


def _stamp(when: datetime, dated: bool) -> str:
    return date.isoformat(when.date()) if dated else when.isoformat(timespec="minutes")


# --- fitting and scoring ------------------------------------------------------------

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
