"""Scraped multi-outlet news: are the verdicts on real pages, wire reprints among them,
what an analyst would say?

For a folder of articles and its manifest (``news-wire-dev``: pages of two events from
many outlets, with the sites' navigation text still in them), one ``compare`` runs and
its pairs are set against what any reader can check without provcheck: the share of
each text's word 7-grams the two texts share, and the wire credits each text prints.
Printed: related pairs against pairs sharing a fifth of a side; the share of reuse
verdicts on pairs sharing under 5 % of either side (one fact, a stock phrase, a quote:
no reuse); how pairs of texts that print the same wire's credit and share most of their
text are told (as syndication, or at least without one outlet copying the other); and
whether every pair sharing half of a side is related. With ``labels`` (a CSV of pairs
judged by reading them: ``a,b,relation,origin,source,reason``), the verdicts against
those judgements too.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from provcheck.engine import LocalEngine
from provcheck.errors import DataError
from provcheck.eval import unpacked
from provcheck.records import REUSE, Relation, Report
from provcheck.settings import Settings

SHINGLE = 7
LOW, HIGH, MOST = 0.05, 0.2, 0.5
# What the evaluation takes for a wire's credit: the name printed outside a photo credit.
# Deliberately simple and independent of provcheck's own credit rules, which it checks.
_AGENCIES = {
    "AP": re.compile(r"\(AP\)|\bAssociated Press\b"),
    "Reuters": re.compile(r"\bReuters\b"),
    "AFP": re.compile(r"\bAFP\b|Agence France-Presse"),
    "Bloomberg": re.compile(r"\bBloomberg\b"),
    "CNN": re.compile(r"\(CNN\)|CNN NewSource"),
}
_PHOTO_CREDIT = re.compile(r"\([^()\n]*(?:/|\bPhoto\b)[^()\n]*\)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Judged:
    """A pair judged by reading it."""

    relation: str  # duplicate, syndicated, copy, paraphrase, shared_source, unrelated
    origin: str  # the agency of a syndicated pair
    source: str  # the document the other took from, where the texts tell
    reason: str


LABELS = Path(__file__).parent / "labels"


def load_labels(path: str) -> dict[frozenset[str], Judged]:
    """Judged pairs from a CSV file, or from the one bundled under that name
    (``news-wire-dev``, ``polnear-train``)."""
    source = Path(path)
    if not source.is_file() and (LABELS / f"{path}.csv").is_file():
        source = LABELS / f"{path}.csv"
    if not source.is_file():
        bundled = ", ".join(sorted(p.stem for p in LABELS.glob("*.csv")))
        raise DataError(f"labels {path} do not exist: give the CSV of judged pairs, or the "
                        f"name of one bundled with provcheck ({bundled}).")
    out = {}
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            out[frozenset((row["a"], row["b"]))] = Judged(
                row["relation"], row.get("origin") or "", row.get("source") or "",
                row.get("reason") or "")
    return out


def corpus(path: str, meta: str | None) -> tuple[Path, Path]:
    """The folder of articles and its manifest: ``path`` is a folder of articles (with
    ``meta``), or a tarball or folder holding ``articles/`` and ``meta.csv``."""
    given = Path(path)
    if given.is_dir() and meta is not None:
        return given, Path(meta)
    root = unpacked(path, name="news-wire-dev.tar.gz", inner=None, marker="meta.csv",
                    not_corpus="holds no meta.csv: give the folder of articles and --meta.")
    return root / "articles", Path(meta) if meta else root / "meta.csv"


def evaluate(path: str, meta: str | None, settings: Settings, labels: str | None = None,
             ) -> dict[str, Any]:
    from provcheck.pipeline import compare

    folder, manifest = corpus(path, meta)
    judged = load_labels(labels) if labels else None  # a bad name stops it before the work
    report = compare([str(folder)], settings, meta=str(manifest),
                     engine=LocalEngine(settings.jobs))
    return score(report, judged)


def score(report: Report, labels: Mapping[frozenset[str], Judged] | None = None,
          ) -> dict[str, Any]:
    texts = {d.id: d.text for d in report.documents}
    outlets = {d.id: d.outlet for d in report.documents}
    shared = shared_shingles(texts)
    credits = {i: wire_credits(t) for i, t in texts.items()}
    told = {frozenset((p.a, p.b)): p for p in report.pairs}
    most = {k: v for k, v in shared.items() if max(v) >= MOST}
    result: dict[str, Any] = {
        "documents": len(texts),
        "related_pairs": len(report.pairs),
        "pairs_sharing_a_fifth": sum(1 for v in shared.values() if max(v) >= HIGH),
        "pairs_sharing_half": len(most),
        "pairs_sharing_half_not_related": sorted(
            " / ".join(sorted(k)) for k in most if k not in told),
        "relations": dict(Counter(p.relation.value for p in report.pairs).most_common()),
    }
    low = [p for p in report.pairs
           if max(shared.get(frozenset((p.a, p.b)), (0.0, 0.0))) < LOW]
    reuse = [p for p in report.pairs if p.relation in REUSE]
    low_reuse = [p for p in low if p.relation in REUSE]
    result["reuse_verdicts"] = len(reuse)
    result["reuse_verdicts_sharing_under_5pc"] = len(low_reuse)
    result["share_of_reuse_verdicts_sharing_under_5pc"] = len(low_reuse) / max(1, len(reuse))
    wire = _wire_pairs(most, credits, told, outlets)
    result["wire_pairs"] = wire
    if labels is not None:
        result["labelled"] = _against_labels(labels, told, set(texts))
    return result


def shared_shingles(texts: Mapping[str, str]) -> dict[frozenset[str], tuple[float, float]]:
    """For each pair of texts sharing a word 7-gram: the share of each side's 7-grams
    (distinct, case folded) the other has, keyed by the pair (values in name order)."""
    grams = {i: _shingles(t) for i, t in texts.items()}
    holders: dict[int, list[str]] = defaultdict(list)
    for i, g in grams.items():
        for h in g:
            holders[h].append(i)
    counts: Counter[tuple[str, str]] = Counter()
    for docs in holders.values():
        if len(docs) <= 200:  # a 7-gram in more texts than this is no pair's evidence
            counts.update(combinations(sorted(docs), 2))
    return {frozenset((a, b)): (n / max(1, len(grams[a])), n / max(1, len(grams[b])))
            for (a, b), n in counts.items()}


def wire_credits(text: str) -> frozenset[str]:
    """The wires whose name the text prints outside photo credits."""
    plain = _PHOTO_CREDIT.sub(" ", text)
    return frozenset(name for name, pattern in _AGENCIES.items() if pattern.search(plain))


def _shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    return {hash(tuple(words[k:k + SHINGLE])) for k in range(len(words) - SHINGLE + 1)}


def _wire_pairs(most: Iterable[frozenset[str]], credits: Mapping[str, frozenset[str]],
                told: Mapping[frozenset[str], Any], outlets: Mapping[str, str | None],
                ) -> dict[str, Any]:
    """How pairs of texts sharing half a side and one wire's credit are told."""
    tally: Counter[str] = Counter()
    examples: list[str] = []
    for key in most:
        a, b = sorted(key)
        if not credits[a] & credits[b]:
            continue
        pair = told.get(key)
        if pair is None:
            how = "not related"
        elif pair.relation is Relation.SYNDICATED:
            how = "syndicated"
        elif pair.direction.source is None:
            how = f"{pair.relation.value}, no direction"
        elif outlets[a] and outlets[a] == outlets[b]:
            how = f"{pair.relation.value}, within one outlet"
        else:
            how = f"{pair.relation.value}, one outlet from the other"
            examples.append(f"{a} / {b}: {pair.relation.value}, "
                            f"{pair.direction.source} -> {pair.direction.target}")
        tally[how] += 1
    total = sum(tally.values())
    fine = sum(n for how, n in tally.items() if "one outlet from the other" not in how
               and how != "not related")
    return {"pairs": total, "told": dict(tally.most_common()),
            "syndicated_or_undirected": fine / total if total else float("nan"),
            "outlet_to_outlet": sorted(examples)}


def _against_labels(labels: Mapping[frozenset[str], Judged],
                    told: Mapping[frozenset[str], Any], ids: set[str]) -> dict[str, Any]:
    table: Counter[tuple[str, str]] = Counter()
    right = wrong = 0
    for key, judged in labels.items():
        if not key <= ids:
            continue
        pair = told.get(key)
        predicted = pair.relation.value if pair else "unrelated"
        table[(judged.relation, predicted)] += 1
        if judged.source and pair is not None and pair.direction.source is not None:
            if pair.direction.source == judged.source:
                right += 1
            else:
                wrong += 1
    agree = sum(n for (x, y), n in table.items() if x == y)
    reuse_labels = {"duplicate", "copy", "paraphrase", "syndicated"}
    reuse_agree = sum(n for (x, y), n in table.items()
                      if (x in reuse_labels) == (y in reuse_labels))
    total = sum(table.values())
    return {"pairs": total, "relation_agreement": agree / max(1, total),
            "reuse_agreement": reuse_agree / max(1, total),
            "confusion": {f"{x} -> {y}": n for (x, y), n in sorted(table.items())},
            "directions_right": right, "directions_wrong": wrong}


def format_scores(result: dict[str, Any]) -> str:
    wire = result["wire_pairs"]
    lines = [
        f"{result['documents']} documents, {result['related_pairs']} related pairs "
        f"({', '.join(f'{k} {v}' for k, v in result['relations'].items())})",
        f"pairs sharing >= 20 % of a side's 7-grams: {result['pairs_sharing_a_fifth']}",
        f"reuse verdicts on pairs sharing < 5 % of either side: "
        f"{result['reuse_verdicts_sharing_under_5pc']} of {result['reuse_verdicts']} "
        f"({result['share_of_reuse_verdicts_sharing_under_5pc']:.1%})",
        f"pairs printing one wire's credit and sharing >= 50 % of a side: {wire['pairs']}; "
        f"told as syndication or without an outlet-to-outlet direction: "
        f"{wire['syndicated_or_undirected']:.1%} ("
        + ", ".join(f"{k} {v}" for k, v in wire["told"].items()) + ")",
        f"pairs sharing >= 50 % of a side: {result['pairs_sharing_half']}, not related: "
        f"{len(result['pairs_sharing_half_not_related'])}",
    ]
    lines += [f"  one outlet from the other: {e}" for e in wire["outlet_to_outlet"]]
    lines += [f"  not related: {e}" for e in result["pairs_sharing_half_not_related"]]
    if "labelled" in result:
        lab = result["labelled"]
        lines.append(f"judged pairs: {lab['pairs']}; relation agrees "
                     f"{lab['relation_agreement']:.1%}, reuse or not agrees "
                     f"{lab['reuse_agreement']:.1%}; directions {lab['directions_right']} "
                     f"right, {lab['directions_wrong']} wrong")
        lines += [f"  {k}: {v}" for k, v in lab["confusion"].items()]
    return "\n".join(lines)
