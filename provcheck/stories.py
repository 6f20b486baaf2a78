"""Stories: the groups of documents that reuse one another's text, each with its origin
and the tree of who took from whom, as a newsroom reads a corpus ("AP's Helsinki story
ran in 23 outlets; 5 rewrote it").

A story is a group joined by the pairs judged *reuse* (duplicate, copy, syndicated,
paraphrase): a shared source (one press conference, one generic sentence) joins no
story, and a pair that shares only part of the shorter text (a few paragraphs taken
in) brings a document into a story but never merges two (``_groups``). Its origin is,
in this order of evidence:

  * ``direction``: the member the confident directions lead back to (a member no
    confident direction says took from another, that others took from), the earliest
    published of such members first;
  * ``agency``: no confident direction, and the members' pairs print one agency's story
    (``Direction.origin``): the agency, whose own text need not be in the corpus;
  * ``earliest``: no direction and no agency, the members' publication times differ:
    the earliest published member, a weaker guess, said as such;
  * ``unknown``: nothing tells.

Every other member hangs under the member it took from (its most confident incoming
direction) or, without one, under the member nearest the origin it shares reuse with,
with that pair's relation and evidence as the edge.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import replace

from provcheck.credits import agency_of
from provcheck.records import (
    Document,
    PairResult,
    Relation,
    Story,
    StoryMember,
    StoryOrigin,
)

REUSE = frozenset({Relation.DUPLICATE, Relation.COPY, Relation.SYNDICATED, Relation.PARAPHRASE})
# A pair sharing this much of its shorter text makes its two documents one story.
CORE_CONTAINMENT = 0.5
# A direction this sure or surer says who took from whom (``overview.TAKEN_CONFIDENCE``).
TAKEN_CONFIDENCE = 0.5


def stories(documents: Sequence[Document], pairs: Sequence[PairResult],
            originality: Mapping[str, float]) -> tuple[Story, ...]:
    """The stories of a corpus, largest first (see the module docstring)."""
    docs = {d.id: d for d in documents}
    reuse = [p for p in pairs if p.relation in REUSE]
    found = [_story(members, [p for p in reuse if p.a in members and p.b in members], docs,
                    originality)
             for members in _groups(reuse) if len(members) > 1]
    ordered = sorted(found, key=lambda s: (-len(s.members), s.first_published or "~",
                                           s.members[0].document))
    return tuple(_numbered(s, n) for n, s in enumerate(ordered, start=1))


def story_of(found: Sequence[Story]) -> dict[str, str]:
    """The story each member document is in: {document id: story id}."""
    return {m.document: s.id for s in found for m in s.members}


def _groups(reuse: Sequence[PairResult]) -> list[set[str]]:
    """The documents of each story. Pairs where the shorter text is mostly the other's
    (``CORE_CONTAINMENT``: a reprint, a copy, a rewrite of the story) join stories
    however far they chain; a pair that shares less (a story that took in a few
    paragraphs of another) only brings a document that is in no story yet into its
    partner's, so an article drawing on two stories does not merge them."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    size: dict[str, int] = defaultdict(lambda: 1)

    def union(x: str, y: str) -> None:
        rx, ry = find(x), find(y)
        if rx != ry:
            keep, gone = (rx, ry) if rx < ry else (ry, rx)
            parent[gone] = keep
            size[keep] += size.pop(gone, 1)

    weak = []
    for p in reuse:
        if _containment(p) >= CORE_CONTAINMENT:
            union(p.a, p.b)
        else:
            weak.append(p)
    for p in sorted(weak, key=lambda p: (-_containment(p), p.a, p.b)):
        if size[find(p.a)] == 1 or size[find(p.b)] == 1:
            union(p.a, p.b)
    groups: dict[str, set[str]] = defaultdict(set)
    for p in reuse:
        for doc in (p.a, p.b):
            groups[find(doc)].add(doc)
    return [groups[k] for k in sorted(groups)]


def _containment(pair: PairResult) -> float:
    """How much of the shorter text the pair shares (measured where it was aligned)."""
    return pair.shared.containment if pair.shared else max(pair.coverage_a, pair.coverage_b)


def _story(members: set[str], pairs: Sequence[PairResult], docs: Mapping[str, Document],
           originality: Mapping[str, float]) -> Story:
    incoming = _taken_from(pairs)
    origin = _origin(members, pairs, incoming, docs)
    parents = _parents(members, pairs, incoming, origin)
    between = {frozenset((p.a, p.b)): p for p in pairs}
    out = []
    for doc_id in _tree_order(members, parents, origin.document, docs):
        doc, parent = docs[doc_id], parents.get(doc_id)
        if parent is not None:
            pair: PairResult | None = between[frozenset((doc_id, parent))]
        elif doc_id != origin.document and origin.agency:
            pair = _from_agency(doc_id, pairs, origin.agency)
        else:
            pair = None
        directed = pair is not None and parent is not None and \
            pair.direction.source == parent and pair.direction.confidence >= TAKEN_CONFIDENCE
        out.append(StoryMember(
            document=doc_id, outlet=doc.outlet, title=doc.title, published=doc.published,
            parent=parent, relation=pair.relation if pair else None,
            confidence=pair.direction.confidence if pair and directed else None,
            evidence=tuple(pair.direction.evidence) if pair else (),
            original=originality.get(doc_id)))
    times = sorted(t for m in members if (t := docs[m].published))
    outlets = Counter(o for m in members if (o := docs[m].outlet))
    titles = Counter(t for m in members if (t := docs[m].title))
    title = docs[origin.document].title if origin.document else None
    return Story(id="", title=title or (titles.most_common(1)[0][0] if titles else None),
                 origin=origin, members=tuple(out),
                 outlets=tuple(o for o, _ in outlets.most_common()),
                 first_published=times[0] if times else None,
                 last_published=times[-1] if times else None)


def _from_agency(doc_id: str, pairs: Sequence[PairResult], agency: str) -> PairResult | None:
    """The pair that best says ``doc_id`` carries ``agency``'s story: a reprint
    (syndicated) before a rewrite, the most similar first."""
    credited = [p for p in pairs if doc_id in (p.a, p.b) and p.direction.origin == agency]
    return max(credited, default=None,
               key=lambda p: (p.relation is Relation.SYNDICATED, p.similarity))


def _taken_from(pairs: Sequence[PairResult]) -> dict[str, PairResult]:
    """Each member's most confident direction saying it took from another member."""
    best: dict[str, PairResult] = {}
    for p in pairs:
        d = p.direction
        if d.source and d.target and d.confidence >= TAKEN_CONFIDENCE:
            held = best.get(d.target)
            if held is None or d.confidence > held.direction.confidence:
                best[d.target] = p
    return best


def _origin(members: set[str], pairs: Sequence[PairResult], incoming: Mapping[str, PairResult],
            docs: Mapping[str, Document]) -> StoryOrigin:
    agencies = Counter(p.direction.origin for p in pairs if p.direction.origin)
    agency, credited = agencies.most_common(1)[0] if agencies else (None, 0)
    if agency and credited * 2 >= len(pairs):
        # One agency's story, reprinted or rewritten: its own text, if the corpus has it.
        own = sorted((_time(docs[m]), m) for m in members
                     if agency_of(docs[m].outlet) == agency)
        return StoryOrigin(document=own[0][1] if own else None, agency=agency, basis="agency")
    sources = {p.direction.source for p in incoming.values() if p.direction.source}
    roots = [m for m in sources if m not in incoming]
    if roots:
        first = min(roots, key=lambda m: (_time(docs[m]), m))
        return StoryOrigin(document=first, agency=agency, basis="direction")
    if agency:
        return StoryOrigin(document=None, agency=agency, basis="agency")
    dated = sorted((_time(docs[m]), m) for m in members)
    if all(docs[m].published for m in members) and dated[0][0] < dated[1][0]:
        return StoryOrigin(document=dated[0][1], agency=None, basis="earliest")
    return StoryOrigin(document=None, agency=None, basis="unknown")


def _parents(members: set[str], pairs: Sequence[PairResult],
             incoming: Mapping[str, PairResult], origin: StoryOrigin) -> dict[str, str]:
    """Each member's parent: the member it took from (its most confident direction);
    else, in an agency's story, the agency's own text if the corpus has it and none
    (the member took from the agency); else the member nearest the root it shares
    reuse with. Without an origin document, the tree hangs from the member with the
    most reuse."""
    linked: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        linked[p.a].add(p.b)
        linked[p.b].add(p.a)
    parents: dict[str, str | None]
    if origin.agency and origin.basis == "agency":
        # Each member under the agency's own text if it shares reuse with it, else
        # straight from the agency (no parent) if a pair says it carries the agency's
        # story, else under the member nearest those it shares reuse with.
        direct = {m for m in members if m != origin.document and (
            m in linked.get(origin.document or "", set())
            or _from_agency(m, pairs, origin.agency) is not None)}
        parents = _nearest([*([origin.document] if origin.document else []), *sorted(direct)],
                           linked)
        for m in direct:
            parents[m] = origin.document if m in linked.get(origin.document or "", set()) \
                else None
    else:
        root = origin.document or max(sorted(members), key=lambda m: len(linked[m]))
        parents = _nearest([root], linked)
    for member, pair in sorted(incoming.items()):
        source = pair.direction.source
        if member != origin.document and source and not _reaches(parents, source, member):
            parents[member] = source
    return {m: p for m, p in parents.items() if p is not None}


def _nearest(roots: Sequence[str], linked: Mapping[str, set[str]],
             ) -> dict[str, str | None]:
    """Each member reached from ``roots`` with the member it was reached from, nearest
    first (breadth first); the roots have none."""
    depth = dict.fromkeys(roots, 0)
    nearer: dict[str, str | None] = {}
    todo = deque(depth)
    while todo:
        node = todo.popleft()
        for other in sorted(linked[node]):
            if other not in depth:
                depth[other], nearer[other] = depth[node] + 1, node
                todo.append(other)
    return dict(nearer)


def _reaches(parents: Mapping[str, str | None], start: str, target: str) -> bool:
    """Whether following parents from ``start`` comes to ``target`` (a cycle if set)."""
    seen = set()
    node: str | None = start
    while node is not None and node not in seen:
        if node == target:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def _tree_order(members: set[str], parents: Mapping[str, str], origin: str | None,
                docs: Mapping[str, Document]) -> list[str]:
    """Members root first, each followed by those under it, earliest published first."""
    children: dict[str | None, list[str]] = defaultdict(list)
    for m in members:
        children[parents.get(m)].append(m)
    out: list[str] = []
    todo = sorted(children[None], key=lambda m: (m != origin, _time(docs[m]), m))
    stack = list(reversed(todo))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(sorted(children[node], key=lambda m: (_time(docs[m]), m))))
    return out


def _time(doc: Document) -> str:
    return doc.published or "~"  # unknown times sort last


def _numbered(story: Story, n: int) -> Story:
    return replace(story, id=f"story-{n}")
