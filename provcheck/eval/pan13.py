"""PAN13 text alignment: run the aligner over labelled pairs and score it PAN's way.

Scores follow Potthast et al. (2010), "An Evaluation Framework for Plagiarism
Detection", as PAN's perfmeasures.py computes them: macro-averaged character precision
and recall over cases and detections (a detection counts for a case only when it
overlaps the case in both documents), granularity (detections per detected case) and
plagdet = F1 / log2(1 + granularity). Each reused region the aligner reports is one
detection: PAN counts one detection per reuse case, and a region is the maximal span
whose passages belong to one case.

Two ways, side by side: per pair (the aligner run on each labelled pair, as PAN's
text alignment task is posed), and end to end (one ``compare`` over every document of
the sampled pairs, candidates, verdicts and all, the report's regions of each labelled
pair as its detections: a pair the report does not hold has none). The second is the
number a user gets.
"""

from __future__ import annotations

import math
import random
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from provcheck.alignment.align import align_pair
from provcheck.engine import LocalEngine
from provcheck.eval import unpacked
from provcheck.settings import Settings
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment

TYPES = (
    "01-no-plagiarism",
    "02-no-obfuscation",
    "03-random-obfuscation",
    "04-translation-obfuscation",
    "05-summary-obfuscation",
)


@dataclass(frozen=True, slots=True)
class Annotation:
    """A case or a detection: a span of the suspicious and of the source document."""

    pair: tuple[str, str]
    this_start: int
    this_end: int
    src_start: int
    src_end: int

    @property
    def size(self) -> int:
        return self.this_end - self.this_start + self.src_end - self.src_start


@dataclass(frozen=True, slots=True)
class Pair:
    kind: str
    susp: str
    src: str


def corpus_root(path: str, cache: str | None = None) -> Path:
    """The unpacked ``train_corpus`` folder for a tarball or folder path."""
    return unpacked(path, name="pan13-train.tar.gz", inner="train_corpus", marker="pairs",
                    not_corpus="is not a PAN13 corpus folder (no 'pairs' file in it).",
                    cache=cache)


def load_pairs(root: Path, sample: int | None, seed: int) -> list[Pair]:
    pairs = []
    rng = random.Random(seed)
    for kind in TYPES:
        lines = (root / kind / "pairs").read_text().split("\n")
        found = [Pair(kind, *line.split()) for line in lines if line.strip()]
        if sample is not None and sample < len(found):
            found = sorted(rng.sample(found, sample), key=lambda p: (p.susp, p.src))
        pairs.extend(found)
    return pairs


def read_cases(root: Path, pair: Pair) -> list[Annotation]:
    name = f"{Path(pair.susp).stem}-{Path(pair.src).stem}.xml"
    tree = ET.parse(root / pair.kind / name)
    return [
        Annotation(
            (pair.susp, pair.src),
            int(f.get("this_offset", 0)),
            int(f.get("this_offset", 0)) + int(f.get("this_length", 0)),
            int(f.get("source_offset", 0)),
            int(f.get("source_offset", 0)) + int(f.get("source_length", 0)),
        )
        for f in tree.getroot().findall("feature")
        if f.get("name") == "plagiarism"
    ]


def detect(pairs: Sequence[Pair], _context: object, root: str,
           settings: Settings) -> list[list[Annotation]]:
    """Detections for a batch of pairs (one worker's share)."""
    lexicon = Lexicon()
    out = []
    for pair in pairs:
        susp = (Path(root) / "susp" / pair.susp).read_text(encoding="utf-8")
        src = (Path(root) / "src" / pair.src).read_text(encoding="utf-8")
        regions = align_pair(segment(pair.susp, susp, lexicon), susp,
                             segment(pair.src, src, lexicon), src, settings)
        out.append([Annotation((pair.susp, pair.src), r.a.start, r.a.end, r.b.start, r.b.end)
                    for r in regions])
    return out


def scores(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> dict[str, float]:
    """PAN's precision, recall, granularity and plagdet for pooled cases and detections."""
    recall = _macro_recall(cases, detections)
    precision = _macro_recall(detections, cases)
    granularity = _granularity(cases, detections)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "granularity": granularity,
        "plagdet": f1 / math.log2(1 + granularity),
        "cases": len(cases),
        "detections": len(detections),
    }


def evaluate(
    corpus: str, settings: Settings, *, sample: int | None = None, sample_seed: int = 13,
    end_to_end: bool = True,
) -> dict[str, Any]:
    root = corpus_root(corpus)
    pairs = load_pairs(root, sample, sample_seed)
    found = LocalEngine(settings.jobs).map(partial(detect, root=str(root), settings=settings),
                                           pairs, batch_size=16)
    result = score_pairs(root, pairs, found)
    result.update(corpus=str(root), sample=sample)
    if end_to_end:
        documents, reported, compared = detect_by_compare(root, pairs, settings)
        result["end_to_end"] = score_pairs(root, pairs, compared)
        result["end_to_end"].update(documents=documents, pairs_reported=reported)
    return result


def detect_by_compare(root: Path, pairs: Sequence[Pair], settings: Settings,
                      ) -> tuple[int, int, list[list[Annotation]]]:
    """One ``compare`` over every document of ``pairs``: the number of documents, of
    labelled pairs the report holds, and each pair's detections (its regions there)."""
    from provcheck.pipeline import compare

    paths = sorted({str(root / "susp" / p.susp) for p in pairs}
                   | {str(root / "src" / p.src) for p in pairs})
    report = compare(paths, settings)
    name = {d.id: Path(d.path).name for d in report.documents}
    regions = {}
    for pair in report.pairs:
        regions[name[pair.a], name[pair.b]] = [(r.a, r.b) for r in pair.regions]
        regions[name[pair.b], name[pair.a]] = [(r.b, r.a) for r in pair.regions]
    out = [[Annotation((p.susp, p.src), x.start, x.end, y.start, y.end)
            for x, y in regions.get((p.susp, p.src), [])] for p in pairs]
    return len(report.documents), sum(1 for p in pairs if (p.susp, p.src) in regions), out


def score_pairs(root: Path, pairs: Sequence[Pair],
                found: Sequence[Sequence[Annotation]]) -> dict[str, Any]:
    """PAN's scores per obfuscation type and overall for ``found`` detections of each
    of ``pairs``, and the false positive rate on the pairs without reuse."""
    per_type: dict[str, Any] = {}
    all_cases: list[Annotation] = []
    all_detections: list[Annotation] = []
    for kind in TYPES:
        chosen = [(p, d) for p, d in zip(pairs, found, strict=True) if p.kind == kind]
        cases = [c for p, _ in chosen for c in read_cases(root, p)]
        detections = [d for _, ds in chosen for d in ds]
        result = scores(cases, detections)
        result["pairs"] = len(chosen)
        result["pairs_with_detections"] = sum(1 for _, ds in chosen if ds)
        per_type[kind] = result
        all_cases += cases
        all_detections += detections
    overall = scores(all_cases, all_detections)
    negatives = per_type["01-no-plagiarism"]
    overall["false_positive_rate"] = negatives["pairs_with_detections"] / max(1, negatives["pairs"])
    return {"types": per_type, "overall": overall}


def format_scores(result: dict[str, Any]) -> str:
    """Per-pair scores, then (when measured) the end-to-end ones, as two tables."""
    lines = ["per pair (the aligner on each labelled pair):", *_table(result)]
    e2e = result.get("end_to_end")
    if e2e:
        total = sum(t["pairs"] for t in e2e["types"].values())
        lines += ["", f"end to end (one compare over the {e2e['documents']:,} documents; "
                      f"{e2e['pairs_reported']:,} of the {total:,} labelled pairs reported):",
                  *_table(e2e)]
    return "\n".join(lines)


def _table(result: dict[str, Any]) -> list[str]:
    lines = [f"{'type':30s} {'pairs':>6s} {'prec':>7s} {'rec':>7s} {'gran':>7s} {'plagdet':>8s}"]
    rows = [*result["types"].items(), ("overall", result["overall"])]
    for name, s in rows:
        pairs = s.get("pairs", sum(t["pairs"] for t in result["types"].values()))
        if not s["cases"]:  # negatives: only false positives can be counted
            lines.append(f"{name:30s} {pairs:6d}   no cases; {s['detections']} detections in "
                         f"{s['pairs_with_detections']} pairs")
            continue
        lines.append(f"{name:30s} {pairs:6d} {s['precision']:7.4f} {s['recall']:7.4f} "
                     f"{s['granularity']:7.4f} {s['plagdet']:8.4f}")
    fp = result["overall"]["false_positive_rate"]
    lines.append(f"false positives on 01-no-plagiarism pairs: {fp:.2%}")
    return lines


def _macro_recall(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    by_pair: dict[tuple[str, str], list[Annotation]] = {}
    for d in detections:
        by_pair.setdefault(d.pair, []).append(d)
    total = 0.0
    for case in cases:
        hits = [d for d in by_pair.get(case.pair, []) if _overlaps(case, d)]
        this = _union_overlap(case.this_start, case.this_end,
                              [(d.this_start, d.this_end) for d in hits])
        src = _union_overlap(case.src_start, case.src_end,
                             [(d.src_start, d.src_end) for d in hits])
        total += (this + src) / case.size if case.size else 0.0
    return total / len(cases)


def _granularity(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    by_pair: dict[tuple[str, str], list[Annotation]] = {}
    for d in detections:
        by_pair.setdefault(d.pair, []).append(d)
    counts = [sum(1 for d in by_pair.get(c.pair, []) if _overlaps(c, d)) for c in cases]
    detected = [n for n in counts if n > 0]
    return sum(detected) / len(detected) if detected else 1.0


def _overlaps(x: Annotation, y: Annotation) -> bool:
    return (x.this_start < y.this_end and y.this_start < x.this_end
            and x.src_start < y.src_end and y.src_start < x.src_end)


def _union_overlap(start: int, end: int, spans: list[tuple[int, int]]) -> int:
    clipped = sorted((max(start, s), min(end, e)) for s, e in spans if s < end and start < e)
    covered, reach = 0, start
    for s, e in clipped:
        s = max(s, reach)
        if e > s:
            covered += e - s
            reach = e
    return covered
