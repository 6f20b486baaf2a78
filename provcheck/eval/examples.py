"""The labelled examples the verdict model is fitted on: related pairs as ``compare``
aligns them (all of them, unrelated ones included), each with its evidence and what is
known of it:
  * METER dev: a newspaper text and a PA text of its story, derived or not (the paper's
    label; of a derived paper, only its best-covered PA pair, as the paper may have used
    one PA text and not the others); the PA text is the source; and pairs of texts of
    different stories, no reuse;
  * PAN13 train: the labelled pairs, reuse in 02-05 (02 copied, 03-05 rewritten), none
    in 01 (not for the direction: its documents are compilations made for the task);
  * the news-wire dev pairs judged by reading them (``labels/news-wire-dev.csv``);
  * the PolNeAR train pairs judged likewise (``labels/polnear-train.csv``): news on
    one campaign, where most pairs share a stock phrase or a fact, a few are updates;
  * real PolNeAR articles reused by ``mutations`` (syndicated, edited, paraphrased,
    partial), some naming their source, stamped with scrape times (see ``_mutations``).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from provcheck.engine import LocalEngine
from provcheck.eval import meter, pan13, polnear
from provcheck.eval.mutations import KINDS, WordChain, derive
from provcheck.eval.wire import LABELS, load_labels
from provcheck.records import PairResult, Report
from provcheck.settings import Settings
from provcheck.verdict import direction_inputs, inputs

COPIED_LABELS = {"duplicate", "copy", "syndicated"}
REUSE_LABELS = COPIED_LABELS | {"paraphrase"}
ATTRIBUTED = 0.3  # of the mutated stories name their source: see ``_mutations``
CRAWL_HOURS = 6.0  # mean delay between publication and the scrape time that stands for it


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
    one by each kind of mutation in turn (see ``_reused``)."""
    from provcheck.pipeline import compare

    root = polnear.corpus_root(str(data / "polnear-train-dev.tar.gz"))
    texts = [p.read_text(encoding="utf-8")
             for p in sorted((root / "train" / "text").glob("*.txt"))]
    chain = WordChain.of(texts)
    rng = np.random.default_rng(20261204)
    order = rng.permutation(len(texts))
    records, kinds = [], {}
    for n, k in enumerate(order[:count].tolist()):
        other = texts[int(order[count + n % (len(texts) - count)])]
        records += _reused(chain, rng, n, texts[k], other)
        kinds[frozenset((f"src{n:04d}", f"der{n:04d}"))] = KINDS[n % len(KINDS)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        report = compare([str(path)], settings, engine=LocalEngine(settings.jobs),
                         keep_unrelated=True)
    out = []
    for pair in report.pairs:
        kind = kinds.get(frozenset((_bare(pair.a), _bare(pair.b))))
        if kind is not None:
            source = pair.a if _bare(pair.a).startswith("src") else pair.b
            out.append(_example("mutations", _bare(source), pair, True,
                                kind != "paraphrased", source))
    return out


def _reused(chain: WordChain, rng: np.random.Generator, n: int, text: str,
            other: str) -> list[dict[str, str]]:
    """An article (``src<n>``) and a story reusing it (``der<n>``) by the ``n``-th kind
    of mutation in turn, by another outlet, 1-48 hours later. As on real pages:
    ``ATTRIBUTED`` of the reusing stories name the source's outlet ("first reported by
    ..."); times are scrape times, each publication plus a crawl delay (exponential,
    mean ``CRAWL_HOURS``), so a story scraped late can look older than its copy; a fifth
    carry dates only. ``other`` gives the reusing story's own text where it has one."""
    outlet = f"Outlet {n % 37}"
    published = datetime(2016, 1, 1, 8, 0) + timedelta(hours=int(rng.integers(0, 24 * 300)))
    copied = published + timedelta(minutes=int(rng.integers(60, 48 * 60)))
    when, later = (t + timedelta(hours=float(rng.exponential(CRAWL_HOURS)))
                   for t in (published, copied))
    dated = rng.random() < 0.2
    source = {"id": f"src{n:04d}", "title": text.split("\n", 1)[0], "text": text.strip()}
    title, paragraphs = derive(chain, rng, KINDS[n % len(KINDS)], source, _sentences_of(other))
    if rng.random() < ATTRIBUTED:
        paragraphs.insert(int(rng.integers(0, len(paragraphs) + 1)),
                          f"The story was first reported by {outlet}.")
    return [{**source, "outlet": outlet, "published": _stamp(when, dated)},
            {"id": f"der{n:04d}", "title": title, "outlet": f"Outlet {n % 37 + 37}",
             "published": _stamp(later, dated), "text": "\n\n".join([title, *paragraphs])}]


def _bare(doc_id: str) -> str:
    return doc_id.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _sentences_of(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s) > 12]


def _stamp(when: datetime, dated: bool) -> str:
    return date.isoformat(when.date()) if dated else when.isoformat(timespec="minutes")
