"""Reports for CI systems: JUnit XML (one test case per checked document), GitHub
Actions workflow annotations (one per checked file with a match) and the GitHub job
summary (a Markdown table of every match)."""

from __future__ import annotations

from functools import partial
from xml.sax.saxutils import escape, quoteattr

from provcheck import safe
from provcheck.gate import STRENGTH, bar, checked_side, describe
from provcheck.phrasing import count
from provcheck.records import Gate, PairResult, Report


def render_junit(report: Report) -> str:
    gate = _gate(report)
    docs = {d.id: d for d in report.documents}
    cases = []
    for doc_id in gate.checked:
        matches = [p for p in report.pairs if doc_id in (p.a, p.b)]
        failed = [p for p in matches if p in gate.failing]
        lines = "\n".join(describe(p, doc_id) for p in matches)
        message = f"{count(len(failed), 'match')} {bar(gate)}"
        body = (f"<failure message={_attribute(message)}>{_text(lines)}</failure>" if failed
                else (f"<system-out>{_text(lines)}</system-out>" if matches else ""))
        cases.append(f'  <testcase classname="provcheck.check" name={_attribute(doc_id)} '
                     f'file={_attribute(docs[doc_id].path)}>{body}</testcase>')
    failures = sum(1 for d in gate.checked if any(d in (p.a, p.b) for p in gate.failing))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name="provcheck" tests="{len(gate.checked)}" failures="{failures}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")


def render_github(report: Report, *, summary: bool = False) -> str:
    """One annotation per checked file with a match, on the file: ``::error`` when a
    match fails the gate, else ``::notice``; its worst match in words, how many others
    it has, and where all of them are (the job summary with ``summary``). GitHub shows
    ten annotations of a kind per step: one per file keeps every file in sight."""
    gate = _gate(report)
    docs = {d.id: d for d in report.documents}
    lines = []
    for doc_id, matches in _matches(report, gate):
        worst = matches[0]
        failing = sum(1 for p in matches if p in gate.failing)
        others = len(matches) - 1
        where = "all in the job summary" if summary else "all with --format html or json"
        more = f"; {count(others, 'other match', 'other matches')} ({failing} failing), " \
            f"{where}" if others else ""
        level = "error" if failing else "notice"
        # Escaped as GitHub's toolkit escapes: no name or text can end the command or
        # start another one.
        lines.append(f"::{level} file={safe.github_property(docs[doc_id].path)},"
                     f"title={safe.github_property(f'provcheck {worst.relation.value}')}"
                     f"::{safe.github_data(describe(worst, doc_id) + more)}")
    return "\n".join(lines) + ("\n" if lines else "")


SUMMARY_ROWS = 200  # matches listed in the job summary


def render_github_summary(report: Report) -> str:
    """The job summary (``$GITHUB_STEP_SUMMARY``, Markdown): whether the check passed, its
    bar, and a table of the checked files' matches, failing ones first."""
    gate = _gate(report)
    docs = {d.id: d for d in report.documents}
    verdict = "passed" if gate.passed else "failed"
    out = [f"### provcheck check {verdict}", "",
           f"{count(len(gate.checked), 'document')} checked; a match {bar(gate)} fails; "
           f"{count(len(gate.failing), 'match', 'matches')} failing"
           + (f", {len(gate.accepted)} accepted by the baseline" if gate.accepted else "")
           + ".", ""]
    rows = [(doc_id, p) for doc_id, matches in _matches(report, gate) for p in matches]
    rows.sort(key=lambda row: row[1] not in gate.failing)
    if rows:
        out += ["| | checked file | relation | other document | coverage | direction |",
                "|---|---|---|---|---|---|"]
        for doc_id, p in rows[:SUMMARY_ROWS]:
            other = docs[p.b if p.a == doc_id else p.a]
            status = "failing" if p in gate.failing else (
                "accepted" if p in gate.accepted else "")
            coverage = p.coverage_a if p.a == doc_id else p.coverage_b
            d = p.direction
            direction = (f"{docs[d.source].outlet or d.source} \u2192 "
                         f"{docs[d.target].outlet or d.target} ({d.confidence:.2f})"
                         if d.source and d.target else (f"both from {d.origin}" if d.origin
                                                        else "unknown"))
            label = f"{other.outlet}: {other.title}" if other.outlet and other.title else \
                other.title or other.outlet or other.id
            out.append("| " + " | ".join(safe.markdown(cell) for cell in (
                status, docs[doc_id].path, p.relation.value, label, f"{coverage:.0%}",
                direction)) + " |")
        if len(rows) > SUMMARY_ROWS:
            out.append(f"\n{len(rows) - SUMMARY_ROWS} more matches: see the JSON or HTML report.")
    return "\n".join(out) + "\n"


def _matches(report: Report, gate: Gate) -> list[tuple[str, list[PairResult]]]:
    """Each checked document with matches, and its matches worst first: failing, then
    the strongest relation, then the most of it covered."""
    checked = set(gate.checked)
    found: dict[str, list[PairResult]] = {}
    for pair in report.pairs:
        if pair.a in checked or pair.b in checked:
            found.setdefault(checked_side(pair, gate.checked), []).append(pair)

    def worst(doc_id: str, p: PairResult) -> tuple[bool, int, float]:
        coverage = p.coverage_a if p.a == doc_id else p.coverage_b
        return (p not in gate.failing, -STRENGTH[p.relation], -coverage)

    return [(doc_id, sorted(matches, key=partial(worst, doc_id)))
            for doc_id, matches in found.items()]


def _attribute(value: str) -> str:
    """A quoted XML attribute value that any text fits in."""
    return quoteattr(safe.xml(value))


def _text(value: str) -> str:
    return escape(safe.xml(value))


def _gate(report: Report) -> Gate:
    if report.gate is None:
        raise ValueError("a CI report needs the gate of a check")
    return report.gate
