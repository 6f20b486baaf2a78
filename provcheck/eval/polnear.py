"""PolNeAR: score quotation extraction and speaker attribution against annotated news.

Gold attributions come from the brat files (one annotator per article: the first file
in name order when an article was annotated twice). A predicted quotation matches a gold
attribution when their content overlaps by at least half of the longer of the two
(``overlap``) or when both cover the same words, ignoring quotation marks and edge
punctuation (``exact``); matching is one-to-one, best overlap first. Speaker accuracy
is over matched pairs whose gold attribution names a source: the predicted speaker
mention must overlap the gold source span. Scores are given for all attributions and
separately for quoted ones (content in quotation marks) and reported speech.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provcheck.engine import LocalEngine
from provcheck.eval import unpacked
from provcheck.quotes.extract import extract
from provcheck.quotes.reading import Quotation
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment

Spans = tuple[tuple[int, int], ...]
_EDGES = " \t\n.,;:!?\"'\u201c\u201d\u2018\u2019()-\u2014\u2013"


@dataclass(frozen=True, slots=True)
class Gold:
    content: Spans
    source: Spans
    quoted: bool
    speech: bool  # cued by a reporting verb, "according to" or a label colon


@dataclass(frozen=True, slots=True)
class Article:
    name: str
    text: str
    gold: tuple[Gold, ...]


def corpus_root(path: str, cache: str | None = None) -> Path:
    """The ``data`` folder of the PolNeAR tarball or of an unpacked copy."""
    return unpacked(path, name="polnear-train-dev.tar.gz", inner="data", marker="dev",
                    not_corpus="is not a PolNeAR folder (no data/dev in it).", cache=cache)


def write_manifest(root: Path, path: Path) -> Path:
    """The publisher and date of every article (``metadata.tsv``) as a provcheck
    manifest at ``path``: what ``--meta`` would give for the corpus."""
    import csv

    with (root / "metadata.tsv").open(encoding="utf-8") as handle, \
            path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["path", "outlet", "published"])
        for row in csv.DictReader(handle, delimiter="\t"):
            writer.writerow([row["filename"] + ".txt", row["publisher"],
                             row["publication_date"]])
    return path


def load(root: Path, split: str) -> list[Article]:
    articles, seen = [], set()
    for ann in sorted((root / split / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        if name in seen:
            continue
        seen.add(name)
        text = (root / split / "text" / f"{name}.txt").read_text(encoding="utf-8")
        articles.append(Article(name, text, tuple(_gold(ann, text))))
    return articles


def _gold(ann: Path, text: str) -> list[Gold]:
    spans: dict[str, tuple[str, Spans]] = {}
    out = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            kind, where = fields[1].split(" ", 1)
            spans[fields[0]] = (kind, tuple(_pair(p) for p in where.split(";")))
        elif line.startswith("E") and len(fields) >= 2:
            roles = {re.sub(r"\d+$", "", k): spans.get(v) for k, v in
                     (x.split(":") for x in fields[1].split())}
            content = roles.get("Content")
            if content is None:
                continue
            source, cue = roles.get("Source"), roles.get("Cue")
            first = content[1][0][0]
            quoted = bool(re.search(r"[\"\u201c]", text[max(0, first - 1) : first + 1]))
            cue_text = " ".join(text[s:e] for s, e in cue[1]).lower() if cue else ""
            out.append(Gold(content[1], source[1] if source else (), quoted, _speech(cue_text)))
    return out


# The scope of "quotations": attributions whose cue is one of these reporting verbs (any
# inflection), "according to", or a label colon or dash. Fixed here, independently of
# the extractor's own lexicon, so that improving the extractor cannot move the goalposts.
_REPORTING = """
acknowledge add admit advise affirm agree allege announce answer argue ask assert assure
believe boast brief caution charge cite claim comment complain concede conclude confirm
contend counter declare decline demand deny describe disclose dismiss echo emphasise
emphasize estimate explain express find forecast highlight hint hope indicate inform
insist instruct joke lament maintain mention note object observe order outline plead
pledge point post predict proclaim promise propose question quip recall recommend
recount reiterate remark remind repeat reply report respond retort reveal say show
signal speculate state stress suggest summarise summarize tell testify think tweet urge
vow warn wonder worry write fear
""".split()
_REPORTING_SET = frozenset(_REPORTING)
_IRREGULAR_FORMS = {"said": "say", "told": "tell", "wrote": "write", "written": "write",
                    "thought": "think", "found": "find", "shown": "show"}


def _pair(text: str) -> tuple[int, int]:
    start, end = text.split()
    return int(start), int(end)


def _speech(cue: str) -> bool:
    if "according to" in cue or cue.strip() in (":", "-", "\u2015", "\u2014"):
        return True
    for word in re.findall(r"[a-z]+", cue):
        lemma = _IRREGULAR_FORMS.get(word, word)
        stems = {lemma, lemma[:-1], lemma[:-2], lemma[:-3], lemma[:-3] + "e", lemma[:-2] + "e",
                 lemma[:-1] + "e", lemma[:-3] + "y"}
        if stems & _REPORTING_SET:
            return True
    return False


def predict(articles: Sequence[Article], _context: object = None) -> list[list[Quotation]]:
    lexicon = Lexicon()
    return [extract(a.text, segment(a.name, a.text, lexicon)) for a in articles]


def score(articles: Sequence[Article], predicted: Sequence[Sequence[Quotation]]) -> dict[str, Any]:
    subsets: dict[str, dict[str, int]] = {
        name: {"gold": 0, "predicted": 0, "overlap": 0, "exact": 0, "with_source": 0,
               "speaker_right": 0} for name in ("speech", "all", "quoted", "reported")}
    for article, quotes in zip(articles, predicted, strict=True):
        pred = [tuple((p.start, p.end) for p in q.parts) for q in quotes]
        pairs = _match(article.gold, pred)
        for name in subsets:
            chosen = [g for g in article.gold if _in_subset(g, name)]
            counts = subsets[name]
            counts["gold"] += len(chosen)
            counts["predicted"] += len(pred)
            # A prediction matching a gold attribution outside the subset is no error.
            counts["outside"] = counts.get("outside", 0) + sum(
                1 for g_index, _ in pairs if not _in_subset(article.gold[g_index], name))
            for g_index, p_index in pairs:
                g = article.gold[g_index]
                if g not in chosen:
                    continue
                counts["overlap"] += 1
                counts["exact"] += _words(article.text, g.content) == _words(article.text,
                                                                             pred[p_index])
                if g.source:
                    counts["with_source"] += 1
                    mention = quotes[p_index].mention
                    counts["speaker_right"] += mention is not None and any(
                        mention.start < e and s < mention.end for s, e in g.source)
    return {name: _rates(c) for name, c in subsets.items()}


def evaluate(corpus: str, split: str = "dev", *, jobs: int = 1,
             limit: int | None = None) -> dict[str, Any]:
    root = corpus_root(corpus)
    articles = load(root, split)[:limit]
    predicted = LocalEngine(jobs).map(predict, articles, batch_size=8)
    return {"split": split, "articles": len(articles), "scores": score(articles, predicted)}


def format_scores(result: dict[str, Any]) -> str:
    s, every = result["scores"]["speech"], result["scores"]["all"]
    lines = [
        f"PolNeAR {result['split']}: {result['articles']} articles, {every['gold']} gold "
        f"attributions ({s['gold']} of speech), {s['predicted']} predicted quotations",
        f"quotations (speech attributions), overlap >= 50%: P {s['precision']:.3f}  "
        f"R {s['recall']:.3f}  F1 {s['f1']:.3f}   exact F1 {s['exact_f1']:.3f}",
        f"speaker accuracy on matched quotations: {s['speaker_accuracy']:.3f} "
        f"({s['speaker_right']} of {s['with_source']})",
        f"all attributions (speech, attitudes, actions): P {every['precision']:.3f}  "
        f"R {every['recall']:.3f}  F1 {every['f1']:.3f}   exact F1 {every['exact_f1']:.3f}",
    ]
    for name in ("quoted", "reported"):
        part = result["scores"][name]
        lines.append(f"recall on {name} gold ({part['gold']}): {part['recall']:.3f}, "
                     f"speaker accuracy {part['speaker_accuracy']:.3f}")
    return "\n".join(lines)


def _in_subset(g: Gold, name: str) -> bool:
    if name == "speech":
        return g.speech
    return name == "all" or g.quoted == (name == "quoted")


def _match(gold: Sequence[Gold], pred: Sequence[Spans]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index) overlapping by half or more."""
    scored = []
    for g_index, g in enumerate(gold):
        for p_index, p in enumerate(pred):
            value = _overlap(g.content, p)
            if value >= 0.5:
                scored.append((value, g_index, p_index))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, g_index, p_index in sorted(scored, reverse=True):
        if g_index not in used_g and p_index not in used_p:
            used_g.add(g_index)
            used_p.add(p_index)
            pairs.append((g_index, p_index))
    return pairs


def _overlap(a: Spans, b: Spans) -> float:
    shared = sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)
    longest = max(sum(e - s for s, e in a), sum(e - s for s, e in b))
    return shared / longest if longest else 0.0


def _words(text: str, spans: Spans) -> str:
    return " ".join(" ".join(text[s:e].split()).strip(_EDGES) for s, e in spans)


def _rates(c: dict[str, int]) -> dict[str, float | int]:
    judged = c["predicted"] - c.get("outside", 0)
    precision = c["overlap"] / judged if judged else 0.0
    recall = c["overlap"] / c["gold"] if c["gold"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    exact_p = c["exact"] / judged if judged else 0.0
    exact_r = c["exact"] / c["gold"] if c["gold"] else 0.0
    exact_f1 = 2 * exact_p * exact_r / (exact_p + exact_r) if exact_p + exact_r else 0.0
    return {**c, "precision": precision, "recall": recall, "f1": f1, "exact_f1": exact_f1,
            "speaker_accuracy": c["speaker_right"] / c["with_source"] if c["with_source"] else 0.0}
