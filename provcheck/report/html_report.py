"""The HTML report: one self-contained page (no network: styles and script are inline).

The page holds the report's data once, as JSON, and draws a pair's texts side by side
with matching highlights when the pair is opened, so a corpus of a hundred documents
stays light. The provenance graph is an inline SVG drawn here.
"""

from __future__ import annotations

import html
import math
import re
from importlib import resources
from typing import Any

import orjson

from provcheck import safe
from provcheck.records import Report
from provcheck.report.json_report import to_dict

_PLACEHOLDER = re.compile(r"\{\{(title|graph|data)\}\}")
_RELATION_COLOURS = {"duplicate": "#b2182b", "copy": "#ef8a62", "syndicated": "#8c6bb1",
                     "paraphrase": "#d4a017", "shared_source": "#4393c3", "related": "#888888"}


def render_html(report: Report) -> str:
    data = to_dict(report, include_text=True)
    page = resources.files("provcheck.report").joinpath("page.html").read_text(encoding="utf-8")
    filled = {
        "title": html.escape(f"provcheck report: {len(report.documents)} documents, "
                             f"{len(report.pairs)} related pairs"),
        "graph": _graph(data),
        # No text can end the data's script element or open another one in it.
        "data": safe.script_json(orjson.dumps(_slim(data)).decode()),
    }
    # One pass over the template: what is filled in is never searched for placeholders.
    return _PLACEHOLDER.sub(lambda m: filled[m.group(1)], page)


# What the page reads of a pair and of a passage, a passage as a list in this order (it
# cuts a passage's text out of the document's, which is embedded once).
_PAIR_KEYS = ("a", "b", "story", "relation", "similarity", "coverage_a", "coverage_b",
              "shared_words_a", "shared_words_b", "direction", "passages")
_PASSAGE_KEYS = ("a_start", "a_end", "b_start", "b_end", "kind", "similarity", "a_in_quote",
                 "b_in_quote")


def _slim(data: dict[str, Any]) -> dict[str, Any]:
    """What the page shows, and no more: each text once, the pairs' fields it reads, and
    the statements several documents print (the JSON report has everything)."""
    pairs = [{**{k: p[k] for k in _PAIR_KEYS},
              "passages": [[q[k] for k in _PASSAGE_KEYS] for q in p["passages"]]}
             for p in data["pairs"]]
    quotes = [q for q in data["quotes"] if len(q["documents"]) > 1]
    return {**data, "pairs": pairs, "quotes": quotes}


def _graph(data: dict[str, Any]) -> str:
    """Documents on a circle, related pairs as lines coloured by relation, an arrow
    towards the target where the direction is known."""
    docs = [d["id"] for d in data["documents"]]
    if not data["pairs"]:
        return '<p class="muted">No related pairs: nothing to draw.</p>'
    # Documents of one cluster sit next to each other, so their lines stay short.
    clusters = (data.get("corpus") or {}).get("clusters") or []
    linked = [doc for cluster in clusters for doc in cluster]
    linked += sorted({x for p in data["pairs"] for x in (p["a"], p["b"])} - set(linked),
                     key=docs.index)
    labelled = len(linked) <= 30  # beyond that, names crowd: the tooltips carry them
    width, height, radius = 900, 620, 240  # room on both sides for the labels
    where = {}
    for n, doc in enumerate(linked):
        angle = 2 * math.pi * n / len(linked) - math.pi / 2
        where[doc] = (width / 2 + radius * math.cos(angle), height / 2 + radius * math.sin(angle))
    parts = [f'<svg id="graph" viewBox="0 0 {width} {height}" role="img" '
             'aria-label="provenance graph" xmlns="http://www.w3.org/2000/svg">',
             "<defs>" + "".join(
                 f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="22" refY="5" '
                 f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                 f'<path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
                 for k, c in _RELATION_COLOURS.items()) + "</defs>"]
    for n, pair in enumerate(data["pairs"]):
        d = pair["direction"]
        src, dst = (d["source"], d["target"]) if d["source"] else (pair["a"], pair["b"])
        (x1, y1), (x2, y2) = where[src], where[dst]
        colour = _RELATION_COLOURS.get(pair["relation"], "#888")
        width = 1.5 + 4 * min(1.0, pair["similarity"] * 2)
        arrow = f' marker-end="url(#arrow-{pair["relation"]})"' if d["source"] else ""
        tip = f'{pair["a"]} / {pair["b"]}: {pair["relation"]}'
        parts.append(f'<line class="edge" data-pair="{n}" x1="{x1:.1f}" y1="{y1:.1f}" '
                     f'x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="{width:.1f}"'
                     f'{arrow}><title>{html.escape(tip)}</title></line>')
    outlets = {d["id"]: d["outlet"] for d in data["documents"]}
    for doc, (x, y) in where.items():
        label = html.escape(doc if len(doc) <= 18 else doc[:17] + "\u2026")
        tip = html.escape(f"{doc} ({outlets[doc]})" if outlets[doc] else doc)
        anchor = "start" if x >= width / 2 else "end"
        dx = 12 if x >= width / 2 else -12
        text = (f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">{label}</text>'
                if labelled else "")
        parts.append(f'<g class="node"><circle cx="{x:.1f}" cy="{y:.1f}" r="9"><title>{tip}'
                     f'</title></circle>{text}</g>')
    parts.append("</svg>")
    return "".join(parts)
