"""Reports for CI systems: JUnit XML (one test case per checked document) and GitHub
Actions workflow annotations (one line per match)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from xml.sax.saxutils import escape, quoteattr

from provcheck.records import PairResult, Report


def render_junit(report: Report, new: Sequence[str], failing: Collection[PairResult]) -> str:
    docs = {d.id: d for d in report.documents}
    cases = []
    for doc_id in new:
        matches = [p for p in report.pairs if doc_id in (p.a, p.b)]
        failed = [p for p in matches if p in failing]
        lines = "\n".join(_describe(p, doc_id) for p in matches)
        body = (f'<failure message={quoteattr(f"{len(failed)} match(es) at or above the bar")}>'
                f"{escape(lines)}</failure>" if failed else
                (f"<system-out>{escape(lines)}</system-out>" if matches else ""))
        cases.append(f'  <testcase classname="provcheck.check" name={quoteattr(doc_id)} '
                     f'file={quoteattr(docs[doc_id].path)}>{body}</testcase>')
    failures = sum(1 for d in new if any(d in (p.a, p.b) for p in failing))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name="provcheck" tests="{len(new)}" failures="{failures}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")


def render_github(report: Report, new: Sequence[str], failing: Collection[PairResult]) -> str:
    docs = {d.id: d for d in report.documents}
    lines = []
    for pair in report.pairs:
        doc_id = pair.a if pair.a in new else pair.b
        if doc_id not in new:
            continue
        level = "error" if pair in failing else "notice"
        message = _describe(pair, doc_id).replace("%", "%25").replace("\n", "%0A")
        lines.append(f"::{level} file={docs[doc_id].path},title=provcheck "
                     f"{pair.relation.value}::{message}")
    return "\n".join(lines) + ("\n" if lines else "")


def _describe(pair: PairResult, doc_id: str) -> str:
    other = pair.b if pair.a == doc_id else pair.a
    coverage = pair.coverage_a if pair.a == doc_id else pair.coverage_b
    d = pair.direction
    direction = f", {d.source} -> {d.target} ({d.confidence:.2f})" if d.source else ""
    return (f"{doc_id} {pair.relation.value} {other}: {coverage:.0%} of {doc_id} in "
            f"{len(pair.passages)} passages{direction}")
