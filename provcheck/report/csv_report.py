"""The CSV report: one row per aligned passage, for spreadsheets. A cell that a
spreadsheet would run as a formula starts with an apostrophe (``safe.csv_cell``)."""

from __future__ import annotations

import csv
import io

from provcheck import safe
from provcheck.records import Report

COLUMNS = (
    "a", "a_outlet", "a_published", "b", "b_outlet", "b_published", "relation",
    "direction_source", "direction_target", "direction_confidence", "passage", "kind",
    "similarity", "in_quote", "a_start", "a_end", "b_start", "b_end", "a_text", "b_text",
    "direction_origin", "reuse_probability",
)


def render_csv(report: Report) -> str:
    docs = {d.id: d for d in report.documents}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for pair in report.pairs:
        a, b = docs[pair.a], docs[pair.b]
        for n, p in enumerate(pair.passages, start=1):
            writer.writerow([safe.csv_cell(cell) for cell in (
                a.id, a.outlet or "", a.published or "", b.id, b.outlet or "", b.published or "",
                pair.relation.value, pair.direction.source or "", pair.direction.target or "",
                pair.direction.confidence, n, p.kind.value, p.similarity,
                "yes" if p.in_quote else "no", p.a.start, p.a.end, p.b.start, p.b.end,
                " ".join(p.a.of(a.text).split()), " ".join(p.b.of(b.text).split()),
                pair.direction.origin or "", pair.evidence.reuse if pair.evidence else "",
            )])
    return out.getvalue()
