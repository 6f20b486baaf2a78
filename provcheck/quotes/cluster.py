"""The quote map: the same statement found across documents, however each one printed it.

Quotations are cut into statements (their sentences). Candidate pairs of statements come
from MinHash banding over their content stems, across documents and within one (a quote
repeated further down), never within one quotation; each pair is verified word by word:
  * the same words up to edits (verbatim, spelling, punctuation, a word or two);
  * one a part of the other ("They have to sit down at the negotiating table" inside
    "They have to sit down and make real compromises at the negotiating table");
  * a quotation turned into reported speech (the reported side keeps most words).
Verified pairs are joined (union-find); clusters whose statements always follow each
other in the same quotations merge back into one multi-sentence quote. Each cluster
has a speaker and is numbered, most widely carried first; described in full, it has a
canonical text (its most complete quoted occurrence), its occurrences with how each
differs from the canonical text, and its earliest dated occurrence. Where every cluster
is printed (a ``Printing``) is known whether or not it is described.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
from rapidfuzz.distance import Indel, LCSseq

from provcheck.candidates import colliding
from provcheck.quotes.reading import Quotation
from provcheck.records import Document, QuoteCluster, QuoteKind, QuoteOccurrence, Span
from provcheck.settings import Settings
from provcheck.signatures import lsh_view, minhash
from provcheck.text.normalize import light
from provcheck.text.segment import Segmented

MIN_STATEMENT_TOKENS = 3
SAME_SHARE = 0.75  # shared words over the longer statement: the same statement
PART_SHARE = 0.8  # shared words over the shorter one: a part of the other
PART_MIN_TOKENS = 5
REPORTED_SHARE = 0.7
MAX_EDITS_SHOWN = 10
_WORDS = re.compile(r"[\w'\u2019\-]+")


@dataclass(frozen=True, slots=True)
class Attributed:
    """A quotation of document ``doc`` (an index into the corpus) and its speaker."""

    doc: int
    quotation: Quotation
    speaker: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Printing:
    """Where one document prints a statement: what provenance reads of every cluster."""

    cluster: str  # the cluster's id
    doc: str
    kind: str
    parts: tuple[Span, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteMap:
    """The quote map: the clusters described in full, and where every cluster is printed."""

    clusters: list[QuoteCluster]
    printings: list[Printing]
    speakers: dict[str, str]  # cluster id -> its speaker, for every cluster with one


@dataclass(frozen=True, slots=True)
class _Statement:
    quote: int  # index into the attributed quotations
    order: int  # position within its quotation
    span: Span
    tokens: tuple[int, int]


def quote_map(documents: Sequence[Document], segmented: Sequence[Segmented],
              attributed: Sequence[Attributed], settings: Settings, *,
              about: Collection[int] | None = None) -> QuoteMap:
    """Clusters of the same statement across the corpus, most widely carried first. With
    ``about`` (document positions), only the clusters one of those documents prints are
    described in full; the others are found and numbered all the same."""
    statements: list[_Statement] = []
    stems: list[np.ndarray] = []  # each statement's distinct content stems
    for doc, items in groupby(enumerate(attributed), key=lambda qa: qa[1].doc):
        found, found_stems = _statements(list(items), segmented[doc])
        statements += found
        stems += found_stems
    parent = list(range(len(statements)))
    for i, j in _verified_pairs(statements, stems, attributed, segmented, settings):
        _union(parent, i, j)
    groups = [_printed(members, statements, attributed)
              for members in _merge_runs(statements, parent)]
    groups.sort(key=lambda g: (-len({attributed[q].doc for q, _ in g}),
                               documents[attributed[g[0][0]].doc].id, g[0][1][0].span.start))
    dates = {d.id: d.published for d in documents if d.published}
    clusters: list[QuoteCluster] = []
    printings: list[Printing] = []
    speakers: dict[str, str] = {}
    for number, group in enumerate(groups, start=1):
        cluster_id = f"Q{number}"
        speaker = _speaker([attributed[q] for q, _ in group])
        if speaker:
            speakers[cluster_id] = speaker
        printings.extend(
            Printing(cluster=cluster_id, doc=documents[attributed[q].doc].id,
                     kind=attributed[q].quotation.kind, parts=tuple(s.span for s in ss))
            for q, ss in group)
        if about is None or any(attributed[q].doc in about for q, _ in group):
            clusters.append(_cluster(cluster_id, group, speaker, attributed, documents, dates))
    return QuoteMap(clusters=clusters, printings=printings, speakers=speakers)


def _statements(items: list[tuple[int, Attributed]], seg: Segmented,
                ) -> tuple[list[_Statement], list[np.ndarray]]:
    """The statements of one document's quotations (``items``: their indices and
    themselves), quotation by quotation: the sentences of each part, a fragment of a few
    words joined to the statement before it; and each statement's distinct content
    stems. The bounds of every part's sentences and words are found in one search."""
    parts = [(q, p.start, p.end) for q, item in items for p in item.quotation.parts]
    if not parts:
        return [], []
    which, part_start, part_end = (np.array(x, dtype=np.int64) for x in zip(*parts,
                                                                             strict=True))
    first = np.searchsorted(seg.sent_span[:, 1], part_start, side="right")
    count = np.maximum(np.searchsorted(seg.sent_span[:, 0], part_end) - first, 0)
    part, sentence = _spread(first, count)  # each (part, sentence) in order
    start = np.maximum(part_start[part], seg.sent_span[sentence, 0])
    end = np.minimum(part_end[part], seg.sent_span[sentence, 1])
    tokens = np.searchsorted(seg.tok_start, np.stack((start, end), axis=1))
    out: list[_Statement] = []
    orders: dict[int, int] = {}
    for q, s, e, (t0, t1) in zip(which[part].tolist(), start.tolist(), end.tolist(),
                                 tokens.tolist(), strict=True):
        if e <= s:
            continue
        if t1 - t0 < MIN_STATEMENT_TOKENS and out and out[-1].quote == q:
            prev = out[-1]  # a fragment joins the statement before it
            out[-1] = _Statement(q, prev.order, Span(start=prev.span.start, end=e),
                                 (prev.tokens[0], t1))
        elif t1 > t0:
            orders[q] = orders.get(q, -1) + 1
            out.append(_Statement(q, orders[q], Span(start=s, end=e), (t0, t1)))
    return out, _distinct_stems(seg, [st.tokens for st in out])


def _distinct_stems(seg: Segmented, ranges: list[tuple[int, int]]) -> list[np.ndarray]:
    """The distinct content-word stems of each token range, sorted (``np.unique`` of
    each), from one sort of all of them."""
    if not ranges:
        return []
    bounds = np.array(ranges, dtype=np.int64)
    owner, token = _spread(bounds[:, 0], bounds[:, 1] - bounds[:, 0])
    content = seg.content[token]
    packed = np.unique((owner[content].astype(np.uint64) << np.uint64(32))
                       | seg.stem_hash[token][content].astype(np.uint64))
    cuts = np.searchsorted(packed >> np.uint64(32), np.arange(1, len(ranges), dtype=np.uint64))
    return np.split((packed & np.uint64(0xFFFFFFFF)).astype(np.uint32), cuts)


def _spread(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every position of the ranges [starts[k], starts[k] + counts[k]), in order, with
    the k of its range."""
    owner = np.repeat(np.arange(len(counts)), counts)
    return owner, np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts) + \
        starts[owner]


def _verified_pairs(statements: list[_Statement], stems: list[np.ndarray],
                    attributed: Sequence[Attributed], segmented: Sequence[Segmented],
                    settings: Settings) -> list[tuple[int, int]]:
    keep = [n for n, found in enumerate(stems) if len(found) >= 2]
    if len(keep) < 2:
        return []
    chosen = [stems[n] for n in keep]
    bounds = np.concatenate(([0], np.cumsum([len(x) for x in chosen])))
    sig = minhash(np.concatenate(chosen), bounds, settings.num_perm, settings.seed)
    group = np.array([statements[n].quote for n in keep], dtype=np.int64)
    keys, bits = lsh_view(sig, settings)
    left, right, _, _ = colliding(keys, bits, group, settings)
    tokens: dict[int, list[int]] = {}  # a statement's words, read once however many pairs

    def words(n: int) -> list[int]:
        if n not in tokens:
            s = statements[n]
            seg = segmented[attributed[s.quote].doc]
            tokens[n] = seg.tok_hash[s.tokens[0] : s.tokens[1]].tolist()
        return tokens[n]

    pairs = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        a, b = keep[i], keep[j]
        if _same_statement(statements[a], statements[b], words(a), words(b), attributed):
            pairs.append((a, b))
    return pairs


def _same_statement(a: _Statement, b: _Statement, ta: list[int], tb: list[int],
                    attributed: Sequence[Attributed]) -> bool:
    """Are statements ``a`` and ``b``, of words ``ta`` and ``tb``, the same statement?"""
    shared = LCSseq.similarity(ta, tb)
    longest, shortest = max(len(ta), len(tb)), min(len(ta), len(tb))
    if shared >= SAME_SHARE * longest:
        return True
    if shortest >= PART_MIN_TOKENS and shared >= PART_SHARE * shortest:
        return True
    reported = QuoteKind.REPORTED in (attributed[a.quote].quotation.kind,
                              attributed[b.quote].quotation.kind)
    return reported and shortest >= PART_MIN_TOKENS and shared >= REPORTED_SHARE * shortest


def _union(parent: list[int], i: int, j: int) -> None:
    ri, rj = _find(parent, i), _find(parent, j)
    if ri != rj:
        parent[max(ri, rj)] = min(ri, rj)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _merge_runs(statements: list[_Statement], parent: list[int]) -> list[list[int]]:
    """Join clusters whose statements always come one right after the other."""
    members: dict[int, list[int]] = defaultdict(list)
    for n in range(len(statements)):
        members[_find(parent, n)].append(n)
    cluster_of = {n: root for root, ns in members.items() for n in ns}
    at = {(s.quote, s.order): n for n, s in enumerate(statements)}
    known: dict[int, dict[int, tuple[int, int]] | None] = {}  # runs, until members change

    def runs_of(root: int) -> dict[int, tuple[int, int]] | None:
        if root not in known:
            known[root] = _runs(statements, members.get(root, []))
        return known[root]

    changed = True
    while changed:
        changed = False
        for root in sorted(members):
            runs = runs_of(root)
            if runs is None:
                continue
            nexts = [at.get((q, last + 1)) for q, (_, last) in runs.items()]
            if None in nexts:
                continue
            other = cluster_of[nexts[0]]  # type: ignore[index]
            other_runs = runs_of(other)
            if (other == root or other_runs is None or set(other_runs) != set(runs)
                    or any(other_runs[q][0] != last + 1 for q, (_, last) in runs.items())):
                continue
            for n in members[other]:
                cluster_of[n] = root
            members[root] += members.pop(other)
            known.pop(root)
            known.pop(other)
            changed = True
    return list(members.values())


def _runs(statements: list[_Statement], ns: list[int]) -> dict[int, tuple[int, int]] | None:
    """Per quotation, the first and last statement of a cluster, when they are one run."""
    orders: dict[int, list[int]] = defaultdict(list)
    for n in ns:
        orders[statements[n].quote].append(statements[n].order)
    runs = {}
    for quote, found in orders.items():
        found.sort()
        if found != list(range(found[0], found[-1] + 1)):
            return None
        runs[quote] = (found[0], found[-1])
    return runs or None


def _printed(members: list[int], statements: list[_Statement],
             attributed: Sequence[Attributed]) -> list[tuple[int, list[_Statement]]]:
    """A cluster's statements by quotation (in order within each), the quotations in
    order of document and position: (quotation, its statements)."""
    by_quote: dict[int, list[_Statement]] = defaultdict(list)
    for n in sorted(members, key=lambda n: (statements[n].quote, statements[n].order)):
        by_quote[statements[n].quote].append(statements[n])
    return sorted(by_quote.items(), key=lambda kv: (attributed[kv[0]].doc, kv[1][0].span.start))


def _speaker(items: list[Attributed]) -> str | None:
    """The speaker most occurrences name; a name beats a description ("the head of the
    UN panel")."""
    named = [a.speaker for a in items if a.speaker and a.quotation.mention is not None
             and a.speaker[:1].isupper()] or [a.speaker for a in items if a.speaker]
    return Counter(named).most_common(1)[0][0] if named else None


def _cluster(cluster_id: str, group: list[tuple[int, list[_Statement]]], speaker: str | None,
             attributed: Sequence[Attributed], documents: Sequence[Document],
             dates: dict[str, str]) -> QuoteCluster:
    pieces = {q: _occurrence_text(ss, attributed[q], documents) for q, ss in group}
    canonical_q = max(pieces, key=lambda q: (attributed[q].quotation.kind is not QuoteKind.REPORTED,
                                             len(pieces[q].split()), -q))
    canonical = pieces[canonical_q]
    occurrences = tuple(
        _occurrence(ss, attributed[q], documents, pieces[q], canonical, q == canonical_q)
        for q, ss in group)
    earliest, published = _earliest(occurrences, dates)
    return QuoteCluster(id=cluster_id, text=canonical, speaker=speaker, occurrences=occurrences,
                        earliest=earliest, earliest_published=published)


def _occurrence_text(statements: list[_Statement], item: Attributed,
                     documents: Sequence[Document]) -> str:
    text = documents[item.doc].text
    return " ".join(" ".join(text[s.span.start : s.span.end].split()) for s in statements)


def _occurrence(statements: list[_Statement], item: Attributed, documents: Sequence[Document],
                printed: str, canonical: str, is_canonical: bool) -> QuoteOccurrence:
    doc = documents[item.doc]
    difference, edits = ("canonical", ()) if is_canonical else _difference(
        canonical, printed, item.quotation.kind)
    return QuoteOccurrence(
        doc=doc.id,
        parts=tuple(s.span for s in statements),
        kind=item.quotation.kind,
        speaker=item.speaker,
        mention=item.quotation.mention,
        difference=difference,
        edits=edits,
    )


def _difference(canonical: str, printed: str, kind: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """How a printed occurrence differs from the canonical text, and the words it changed."""
    a = _WORDS.findall(light(canonical).lower())
    b = _WORDS.findall(light(printed).lower())
    ops = [(o.tag, o.src_start, o.src_end, o.dest_start, o.dest_end) for o in Indel.opcodes(a, b)]
    edits = tuple((" ".join(a[s0:s1]), " ".join(b[d0:d1]))
                  for s0, s1, d0, d1 in _replacements(ops))[:MAX_EDITS_SHOWN]
    shared = sum(s1 - s0 for tag, s0, s1, _, _ in ops if tag == "equal")
    if kind is QuoteKind.REPORTED:
        return "reported speech", edits
    if a == b:
        return "verbatim", ()
    if shared == len(b):
        return "part", ()
    if shared == len(a):
        return "longer", ()
    if _squash(a) == _squash(b) or len(a) + len(b) - 2 * shared <= max(4, len(a) // 5):
        return "variant", edits
    return "paraphrase", edits


def _replacements(
    ops: list[tuple[str, int, int, int, int]],
) -> list[tuple[int, int, int, int]]:
    """Changed stretches; a delete next to an insert reads as one replacement
    ("pre-empt" -> "preempt")."""
    merged: list[tuple[int, int, int, int]] = []
    for tag, s0, s1, d0, d1 in ops:
        if tag == "equal":
            continue
        if merged and merged[-1][1] == s0 and merged[-1][3] == d0:
            p0, _, q0, _ = merged.pop()
            merged.append((p0, s1, q0, d1))
        else:
            merged.append((s0, s1, d0, d1))
    return merged


def _squash(words: list[str]) -> str:
    return re.sub(r"[\W_]", "", "".join(words))


def _earliest(occurrences: Sequence[QuoteOccurrence],
              dates: dict[str, str]) -> tuple[tuple[str, ...], str | None]:
    """The documents that printed the statement first, when dates allow telling.

    A date without a time and a time on the same day cannot be ordered: both are listed.
    """
    dated = sorted({o.doc for o in occurrences if o.doc in dates}, key=lambda i: (dates[i], i))
    if not dated:
        return (), None
    first_day = dates[dated[0]][:10]
    same_day = [i for i in dated if dates[i][:10] == first_day]
    if all(len(dates[i]) > 10 for i in same_day):
        first = min(dates[i] for i in same_day)
        same_day = [i for i in same_day if dates[i] == first]
    return tuple(same_day), dates[same_day[0]]

