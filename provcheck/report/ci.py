"""Reports for CI systems: JUnit XML (one test case per checked document) and GitHub
Actions workflow annotations (one line per match of a checked document)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from provcheck import safe
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
        message = f"{len(failed)} match(es) at or above {gate.fail_on.value}"
        body = (f"<failure message={_attribute(message)}>{_text(lines)}</failure>" if failed
                else (f"<system-out>{_text(lines)}</system-out>" if matches else ""))
        cases.append(f'  <testcase classname="provcheck.check" name={_attribute(doc_id)} '
                     f'file={_attribute(docs[doc_id].path)}>{body}</testcase>')
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
        # Escaped as GitHub's toolkit escapes: no name or text can end the command or
        # start another one.
        lines.append(f"::{level} file={safe.github_property(docs[doc_id].path)},"
                     f"title={safe.github_property(f'provcheck {pair.relation.value}')}"
                     f"::{safe.github_data(describe(pair, doc_id))}")
    return "\n".join(lines) + ("\n" if lines else "")


def _attribute(value: str) -> str:
    """A quoted XML attribute value that any text fits in."""
    return quoteattr(safe.xml(value))


def _text(value: str) -> str:
    return escape(safe.xml(value))


def _gate(report: Report) -> Gate:
    if report.gate is None:
        raise ValueError("a CI report needs the gate of a check")
    return report.gate
