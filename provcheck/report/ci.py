"""Reports for CI systems: JUnit XML (one test case per checked document) and GitHub
Actions workflow annotations (one line per match of a checked document)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from provcheck.gate import checked_side, describe
from provcheck.records import Gate, Report


def render_junit(report: Report) -> str:
    gate = _gate(report)
    docs = {d.id: d for d in report.documents}
    cases = []
    for doc_id in gate.checked:
        matches = [p for p in report.pairs if doc_id in (p.a, p.b)]
        failed = [p for p in matches if p in gate.failing]
        lines = "\n".join(describe(p, doc_id) for p in matches)
        message = f"{len(failed)} match(es) at or above {gate.fail_on}"
        body = (f"<failure message={quoteattr(message)}>{escape(lines)}</failure>" if failed
                else (f"<system-out>{escape(lines)}</system-out>" if matches else ""))
        cases.append(f'  <testcase classname="provcheck.check" name={quoteattr(doc_id)} '
                     f'file={quoteattr(docs[doc_id].path)}>{body}</testcase>')
    failures = sum(1 for d in gate.checked if any(d in (p.a, p.b) for p in gate.failing))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name="provcheck" tests="{len(gate.checked)}" failures="{failures}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")


def render_github(report: Report) -> str:
    """``::error`` for a failing match, ``::notice`` for the others, on the checked file."""
    gate = _gate(report)
    docs = {d.id: d for d in report.documents}
    lines = []
    for pair in report.pairs:
        if pair.a not in gate.checked and pair.b not in gate.checked:
            continue
        doc_id = checked_side(pair, gate.checked)
        level = "error" if pair in gate.failing else "notice"
        message = describe(pair, doc_id).replace("%", "%25").replace("\n", "%0A")
        lines.append(f"::{level} file={docs[doc_id].path},title=provcheck "
                     f"{pair.relation.value}::{message}")
    return "\n".join(lines) + ("\n" if lines else "")


def _gate(report: Report) -> Gate:
    if report.gate is None:
        raise ValueError("a CI report needs the gate of a check")
    return report.gate
