"""METER: does provcheck tell the newspaper stories written from press-agency copy from
those written independently about the same event?

The METER corpus (Gaizauskas, Clough et al., 2001) holds the Press Association's copy of
each story (``PA/rawtexts/<domain>/<date>/<catchline>/``) and the stories nine UK papers
printed (``newspapers/rawtexts/...``), each labelled wholly derived from the PA copy,
partially derived (PA copy and other sources) or non-derived (written independently).
One ``compare`` runs over all texts, with the outlets (``PA``, the paper's name) and
the PA copy's wire time given as a manifest. A newspaper text is *derived* by
provcheck's verdict when it forms a reuse pair (copy, duplicate, paraphrase, syndicated)
with a PA text of its story; its *coverage* is the share of its words inside the
passages it shares with its story's PA texts (in every aligned pair, those judged
unrelated included: coverage measures the alignment, the verdict the model). Scored:
binary macro-F1 of the verdicts, ROC AUC of the coverage (derived vs non, wholly vs
partially), the direction of the PA-newspaper pairs, and in the same run the baseline
the METER papers start from: word trigram containment in the story's PA copy, at its
best threshold on these very data.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provcheck.engine import LocalEngine
from provcheck.eval import unpacked
from provcheck.eval.metrics import auc, best_threshold, macro_f1
from provcheck.records import REUSE, PairResult, Report, Span
from provcheck.settings import Settings
from provcheck.text.segment import tokens

LABELS = ("wholly", "partially", "non")
AGENCY = "PA"
# "14:25 26/01/00: Page 1 (HHH) COURTS Irving": the wire time of a PA text.
_WIRE_TIME = re.compile(r"(\d\d):(\d\d) (\d\d)/(\d\d)/(\d\d): Page")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Text:
    """One text of the corpus: where it is, its story and, for a newspaper, its label."""

    path: Path
    story: str  # <domain>/<date>/<catchline>
    paper: str | None  # None for PA copy
    label: str | None  # wholly / partially / non, for newspaper texts


def corpus_root(path: str, cache: str | None = None) -> Path:
    """The folder of the METER layout (holding ``file_index``, ``PA``, ``newspapers``)."""
    return unpacked(path, name="meter-dev.tar.gz", inner=None, marker="file_index",
                    not_corpus="is not a METER folder (no file_index in it).", cache=cache)


def load(root: Path) -> list[Text]:
    labels: dict[str, str] = {}
    for listing in sorted((root / "file_index").glob("*/*_derived.txt")):
        label = listing.stem.split("_")[0]
        for line in listing.read_text(encoding="latin-1").split():
            labels[line.split("newspapers/", 1)[-1]] = label
    texts = []
    for kind in ("PA", "newspapers"):
        for path in sorted((root / kind).rglob("*.txt")):
            rel = path.relative_to(root / kind).as_posix()
            parts = rel.split("/")
            story = "/".join(parts[1:4])
            if kind == "PA":
                texts.append(Text(path, story, None, None))
            elif rel in labels:
                texts.append(Text(path, story, path.stem.rsplit("_", 1)[-1], labels[rel]))
    return texts


def evaluate(corpus: str, settings: Settings) -> dict[str, Any]:
    root = corpus_root(corpus)
    texts = load(root)
    report = run(root, texts, settings, keep_unrelated=True)
    return score(texts, report)


def run(root: Path, texts: Sequence[Text], settings: Settings, *,
        keep_unrelated: bool = False) -> Report:
    """One ``compare`` over every text, with outlets and PA wire times as a manifest."""
    from provcheck.pipeline import compare

    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "meter.csv"
        manifest.write_text("path,outlet,published\n" + "".join(
            f"{t.path},{t.paper or AGENCY},{_wire_time(t.path) if t.paper is None else ''}\n"
            for t in texts), encoding="utf-8")
        return compare([str(root / "PA"), str(root / "newspapers")], settings,
                       meta=str(manifest), engine=LocalEngine(settings.jobs),
                       keep_unrelated=keep_unrelated)


def score(texts: Sequence[Text], report: Report) -> dict[str, Any]:
    by_path = {str(t.path): t for t in texts}
    docs = {d.id: d for d in report.documents}
    text_of = {d.id: by_path[d.path] for d in report.documents if d.path in by_path}
    papers = [t for t in texts if t.paper is not None]
    derived: dict[Path, bool] = defaultdict(bool)
    covered: dict[Path, list[Span]] = defaultdict(list)
    directions = {"pairs": 0, "given": 0, "right": 0, "confident": 0, "confident_right": 0}
    for pair in report.pairs:
        for side, other in ((pair.a, pair.b), (pair.b, pair.a)):
            paper, agency = text_of.get(side), text_of.get(other)
            if not (paper and agency and paper.paper and agency.paper is None
                    and paper.story == agency.story):
                continue
            derived[paper.path] |= pair.relation in REUSE
            covered[paper.path].extend(p.a if side == pair.a else p.b for p in pair.passages)
            if pair.relation in REUSE:
                _count_direction(pair, other, side, directions)
    body = {t.path: report.words[d.id].body_words or 1 for d in report.documents
            if (t := text_of.get(d.id)) and d.id in report.words}
    doc_of = {t.path: docs[i] for i, t in text_of.items()}
    coverage = {t.path: _covered_words(doc_of[t.path].text, covered[t.path])
                / body.get(t.path, 1) if t.path in doc_of else 0.0 for t in papers}
    trigram = _trigram_containment(texts)
    truth = [t.label != "non" for t in papers]
    result: dict[str, Any] = {
        "texts": {label: sum(t.label == label for t in papers) for label in LABELS},
        "pa_texts": len(texts) - len(papers),
        "provcheck": _scores(papers, truth, [coverage[t.path] for t in papers],
                             [derived[t.path] for t in papers]),
        "trigram_baseline": _scores(papers, truth, [trigram[t.path] for t in papers], None),
        "directions": directions,
        "verdicts": _verdict_table(papers, derived),
    }
    return result


def _count_direction(pair: PairResult, agency: str, paper: str, tally: dict[str, int]) -> None:
    tally["pairs"] += 1
    d = pair.direction
    if d.source is None:
        return
    right = (d.source, d.target) == (agency, paper)
    tally["given"] += 1
    tally["right"] += right
    if d.confidence >= 0.8:
        tally["confident"] += 1
        tally["confident_right"] += right


def _scores(papers: Sequence[Text], truth: Sequence[bool], score: Sequence[float],
            verdicts: Sequence[bool] | None) -> dict[str, Any]:
    wholly = [s for t, s in zip(papers, score, strict=True) if t.label == "wholly"]
    partially = [s for t, s in zip(papers, score, strict=True) if t.label == "partially"]
    out: dict[str, Any] = {
        "auc_derived_vs_non": auc([s for s, y in zip(score, truth, strict=True) if y],
                                  [s for s, y in zip(score, truth, strict=True) if not y]),
        "auc_wholly_vs_partially": auc(wholly, partially),
    }
    best, threshold = best_threshold(truth, score)
    out["macro_f1_best_threshold"] = best
    out["best_threshold"] = threshold
    if verdicts is not None:
        out["macro_f1_verdicts"] = macro_f1(truth, verdicts)
    return out


def _verdict_table(papers: Sequence[Text], derived: Mapping[Path, bool]) -> dict[str, int]:
    table: dict[str, int] = defaultdict(int)
    for t in papers:
        table[f"{t.label} -> {'derived' if derived[t.path] else 'not derived'}"] += 1
    return dict(sorted(table.items()))


def _covered_words(text: str, spans: Iterable[Span]) -> int:
    """Words of ``text`` starting inside the union of ``spans``."""
    merged: list[list[int]] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span.end)
        else:
            merged.append([span.start, span.end])
    _, starts, _ = tokens(text)
    return sum(int(((starts >= s) & (starts < e)).sum()) for s, e in merged)


def _trigram_containment(texts: Sequence[Text]) -> dict[Path, float]:
    """Each newspaper text's share of word trigrams found in its story's PA copy (all of
    its PA texts together): the baseline of the METER papers."""
    agency: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for t in texts:
        if t.paper is None:
            agency[t.story] |= _trigrams(t.path)
    out = {}
    for t in texts:
        if t.paper is not None:
            grams = _trigrams(t.path)
            out[t.path] = len(grams & agency[t.story]) / max(1, len(grams))
    return out


def _trigrams(path: Path) -> set[tuple[str, ...]]:
    words = _WORD.findall(path.read_text(encoding="latin-1").lower())
    return set(zip(words, words[1:], words[2:], strict=False))


def _wire_time(path: Path) -> str:
    found = _WIRE_TIME.search(path.read_text(encoding="latin-1")[:1000])
    if not found:
        return ""
    hour, minute, day, month, year = found.groups()
    century = "19" if int(year) > 50 else "20"
    return f"{century}{year}-{month}-{day}T{hour}:{minute}"


def format_scores(result: dict[str, Any]) -> str:
    texts = result["texts"]
    ours, base = result["provcheck"], result["trigram_baseline"]
    d = result["directions"]
    lines = [
        f"METER: {sum(texts.values())} newspaper texts ({texts['wholly']} wholly, "
        f"{texts['partially']} partially, {texts['non']} non-derived), "
        f"{result['pa_texts']} PA texts",
        f"{'':34s} {'provcheck':>10s} {'trigrams':>10s}",
        f"{'verdict macro-F1 (derived vs non)':34s} {ours['macro_f1_verdicts']:10.3f} "
        f"{'':>10s}",
        f"{'  best threshold on coverage':34s} {ours['macro_f1_best_threshold']:10.3f} "
        f"{base['macro_f1_best_threshold']:10.3f}",
        f"{'coverage AUC, derived vs non':34s} {ours['auc_derived_vs_non']:10.3f} "
        f"{base['auc_derived_vs_non']:10.3f}",
        f"{'coverage AUC, wholly vs partially':34s} {ours['auc_wholly_vs_partially']:10.3f} "
        f"{base['auc_wholly_vs_partially']:10.3f}",
        f"directions of PA-newspaper reuse pairs: {d['given']} of {d['pairs']} given, "
        f"{d['right']} from PA to the paper; {d['confident']} with confidence >= 0.8, "
        f"{d['confident_right']} of them right",
        "verdicts: " + ", ".join(f"{k} {v}" for k, v in result["verdicts"].items()),
    ]
    return "\n".join(lines)
