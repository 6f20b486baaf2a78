"""The CI gate: which matches of a check fail the run.

A match fails when it involves a checked document, its relation is at least as strong
as ``fail_on`` (duplicate > copy > syndicated > paraphrase > shared_source: a licensed
wire reprint is weaker than one outlet copying another), the checked document's
coverage reaches ``min_coverage``, and no baseline entry accepts it. A baseline file
lists accepted matches, one per line: two document ids or sha256 values (the pair is
accepted), or one (every match of that document is accepted); ``#`` starts a comment.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from provcheck.errors import ConfigError
from provcheck.records import Document, FailOn, Gate, PairResult, Relation

# A match fails by default only when it covers this share of a checked document: a
# sentence or two shared (a trace) is reported, and does not fail a build.
DEFAULT_MIN_COVERAGE = 0.05
STRENGTH = {Relation.DUPLICATE: 5, Relation.COPY: 4, Relation.SYNDICATED: 3, Relation.PARAPHRASE: 2,
            Relation.SHARED_SOURCE: 1, Relation.RELATED: 1, Relation.UNRELATED: 0}


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """What fails a check (``--fail-on``, ``--min-coverage``, ``--baseline``,
    ``--accept-all``)."""

    fail_on: FailOn = FailOn.COPY
    min_coverage: float = DEFAULT_MIN_COVERAGE
    baseline: str | None = None  # the file of accepted matches
    accept_all: bool = False  # add every failing match to it, and pass

    def accepted(self) -> Baseline:
        """The accepted matches, read once and before the work, so that a bad baseline
        stops the run before it starts (a missing one is created by ``--accept-all``)."""
        if self.accept_all and not self.baseline:
            raise ConfigError("--accept-all needs --baseline FILE: the file to add the "
                              "accepted matches to.")
        if self.baseline and (Path(self.baseline).exists() or not self.accept_all):
            return load_baseline(self.baseline)
        return Baseline(frozenset(), frozenset())


def apply(policy: Policy, accepted: Baseline, pairs: Sequence[PairResult],
          documents: Sequence[Document], checked: Sequence[str]) -> tuple[Gate, int]:
    """The gate of a check, and how many matches ``--accept-all`` added to the baseline
    (they are accepted from now on, this run included)."""
    result = gate(pairs, documents, checked, policy, accepted)
    if not policy.accept_all or policy.baseline is None:
        return result, 0
    added = _append(policy.baseline, result)
    return replace(result, failing=(), accepted=result.accepted + result.failing), added


def gate(pairs: Sequence[PairResult], documents: Sequence[Document], checked: Sequence[str],
         policy: Policy, accepted_by: Baseline) -> Gate:
    """The matches of the checked documents that fail the run (see the module docstring)."""
    bar = STRENGTH[policy.fail_on.relation]
    docs = {d.id: d for d in documents}
    new = set(checked)
    failing: list[PairResult] = []
    accepted: list[PairResult] = []
    for pair in pairs:
        if pair.a not in new and pair.b not in new:
            continue
        coverage = max(pair.coverage_a if pair.a in new else 0.0,
                       pair.coverage_b if pair.b in new else 0.0)
        if STRENGTH[pair.relation] < bar or coverage < policy.min_coverage:
            continue
        (accepted if accepted_by.accepts(pair, docs) else failing).append(pair)
    return Gate(fail_on=policy.fail_on, min_coverage=policy.min_coverage,
                baseline=policy.baseline, checked=tuple(checked), failing=tuple(failing),
                accepted=tuple(accepted))


def _append(path: str, result: Gate) -> int:
    """Append the failing matches of ``result`` to the baseline at ``path`` (created if
    missing), each with a comment saying what it is; return how many were added."""
    target = Path(path)
    lines = [f"{p.a} {p.b}  # {describe(p, checked_side(p, result.checked))}"
             for p in result.failing]
    if lines:
        existing = target.read_text(encoding="utf-8") if target.exists() else ""
        prefix = "" if not existing or existing.endswith("\n") else "\n"
        with target.open("a", encoding="utf-8") as out:
            out.write(prefix + "\n".join(lines) + "\n")
    return len(lines)


def describe(pair: PairResult, doc_id: str) -> str:
    """One line on a match of ``doc_id``, as CI output shows it."""
    other = pair.b if pair.a == doc_id else pair.a
    coverage = pair.coverage_a if pair.a == doc_id else pair.coverage_b
    d = pair.direction
    direction = f", {d.source} -> {d.target} ({d.confidence:.2f})" if d.source else ""
    if d.origin:
        direction += f", both from {d.origin}" if not d.source else f", from {d.origin}"
    return (f"{doc_id} {pair.relation.value} {other}: {coverage:.0%} of {doc_id} in "
            f"{len(pair.passages)} passages{direction}")


def checked_side(pair: PairResult, checked: Collection[str]) -> str:
    """The checked document of a match (side a when both are)."""
    return pair.a if pair.a in checked else pair.b


def bar(gate: Gate) -> str:
    """The gate's bar in words, as every report of a check says it."""
    return f"at or above {gate.fail_on.value}" + (
        f" covering {gate.min_coverage:.0%} or more" if gate.min_coverage else "")
