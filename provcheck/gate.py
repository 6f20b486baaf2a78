"""The CI gate: which matches of a check fail the run.

A match fails when it involves a checked document, its relation is at least as strong
as ``fail_on`` (duplicate > copy > paraphrase > shared_source), the checked document's
coverage reaches ``min_coverage``, and no baseline entry accepts it. A baseline file
lists accepted matches, one per line: two document ids or sha256 values (the pair is
accepted), or one (every match of that document is accepted); ``#`` starts a comment.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from provcheck.errors import ConfigError
from provcheck.records import Document, PairResult, Relation

STRENGTH = {Relation.DUPLICATE: 4, Relation.COPY: 3, Relation.PARAPHRASE: 2,
            Relation.SHARED_SOURCE: 1, Relation.RELATED: 1, Relation.UNRELATED: 0}
FAIL_ON = ("duplicate", "copy", "paraphrase", "shared_source")


@dataclass(frozen=True, slots=True)
class Baseline:
    pairs: frozenset[frozenset[str]]
    documents: frozenset[str]

    def accepts(self, pair: PairResult, docs: dict[str, Document]) -> bool:
        names_a = {pair.a, docs[pair.a].sha256}
        names_b = {pair.b, docs[pair.b].sha256}
        if (names_a | names_b) & self.documents:
            return True
        return any(frozenset((x, y)) in self.pairs for x in names_a for y in names_b)


def load_baseline(path: str) -> Baseline:
    source = Path(path)
    if not source.is_file():
        raise ConfigError(f"baseline {path} does not exist: give a file of accepted matches, "
                          "one per line (two document ids or sha256 values).")
    pairs, documents = set(), set()
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) > 2:
            raise ConfigError(f"baseline {path} line {number}: expected one or two document "
                              f"ids or sha256 values, found {len(words)}.")
        if len(words) == 2:
            pairs.add(frozenset(words))
        else:
            documents.add(words[0])
    return Baseline(frozenset(pairs), frozenset(documents))


def failing(pairs: Sequence[PairResult], documents: Sequence[Document], new: Collection[str],
            fail_on: str, min_coverage: float, baseline: Baseline | None) -> list[PairResult]:
    """The matches that fail the run (see the module docstring)."""
    bar = STRENGTH[Relation(fail_on)]
    docs = {d.id: d for d in documents}
    out = []
    for pair in pairs:
        if pair.a not in new and pair.b not in new:
            continue
        coverage = max(pair.coverage_a if pair.a in new else 0.0,
                       pair.coverage_b if pair.b in new else 0.0)
        if STRENGTH[pair.relation] < bar or coverage < min_coverage:
            continue
        if baseline is not None and baseline.accepts(pair, docs):
            continue
        out.append(pair)
    return out
