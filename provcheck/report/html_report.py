"""The HTML report: one self-contained page (no network: styles and script are inline).

The page holds the report's data once, as JSON, and draws a pair's texts side by side
with matching highlights when the pair is opened, so a corpus of a hundred documents
stays light. The provenance graph is an inline SVG drawn here.
"""

from __future__ import annotations

import base64
import html
import math
import re
import zlib
from importlib import resources
from typing import Any

import orjson

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
        # Compressed, and in base64: no text can end the data's script element or open
        # another one in it, and a thousand articles' data is a few MB, not 13.
        "data": base64.b64encode(zlib.compress(orjson.dumps(_slim(data)), 9)).decode(),
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


GRAPH_DOCUMENTS = 30  # beyond this many linked documents, the graph joins outlets
GRAPH_OUTLETS = 36  # outlets drawn, those that share the most words first
_WIDTH, _HEIGHT, _RADIUS = 900, 720, 200  # room around the circle for the labels


def _graph(data: dict[str, Any]) -> str:
    """The provenance graph: the documents on a circle, related pairs as lines coloured
    by relation, an arrow towards the target where the direction is known; past
    ``GRAPH_DOCUMENTS`` linked documents, the outlets instead, joined by the words one
    took from another (``corpus.outlet_flows``), so a thousand documents stay readable.
    Labels are outlets and short titles along the radius (they cannot overlap while
    their nodes are a line's height apart); ids are tooltips."""
    if not data["pairs"]:
        return '<p class="muted">No related pairs: nothing to draw.</p>'
    docs = {d["id"]: d for d in data["documents"]}
    # Documents of one cluster sit next to each other, so their lines stay short.
    clusters = (data.get("corpus") or {}).get("clusters") or []
    linked = [doc for cluster in clusters for doc in cluster]
    order = list(docs)
    linked += sorted({x for p in data["pairs"] for x in (p["a"], p["b"])} - set(linked),
                     key=order.index)
    if len(linked) > GRAPH_DOCUMENTS:
        return _outlet_graph(data)
    where = _circle(linked)
    parts = _svg_start("provenance graph of the documents")
    for n, pair in enumerate(data["pairs"]):
        d = pair["direction"]
        src, dst = (d["source"], d["target"]) if d["source"] else (pair["a"], pair["b"])
        colour = _RELATION_COLOURS.get(pair["relation"], "#888")
        width = 1.5 + 4 * min(1.0, pair["similarity"] * 2)
        arrow = f' marker-end="url(#arrow-{pair["relation"]})"' if d["source"] else ""
        tip = f'{_name(docs[pair["a"]])} / {_name(docs[pair["b"]])}: {pair["relation"]}'
        parts.append(_line(where[src], where[dst], colour, width, arrow, tip, f' data-pair="{n}"'))
    for doc, place in where.items():
        parts.append(_node(place, _name(docs[doc]), doc))
    parts.append("</svg>")
    return "".join(parts)


def _outlet_graph(data: dict[str, Any]) -> str:
    flows = [f for f in (data.get("corpus") or {}).get("outlet_flows") or []
             if f["from"] != f["to"]]
    weight: dict[str, int] = {}
    for f in flows:
        for outlet in (f["from"], f["to"]):
            weight[outlet] = weight.get(outlet, 0) + f["words"]
    shown = sorted(weight, key=lambda o: (-weight[o], o))[:GRAPH_OUTLETS]
    where = _circle(shown)
    parts = _svg_start("reuse between outlets")
    heaviest = max((f["words"] for f in flows), default=1)
    for f in flows:
        if f["from"] in where and f["to"] in where:
            # Who took from whom stands out; sharing (a source, a wire) stays faint.
            width = (1 + 5 * math.sqrt(f["words"] / heaviest)) if f["directed"] else 1.0
            colour = "#20303f" if f["directed"] else "#a6c8e0"
            arrow = ' marker-end="url(#arrow-copy)"' if f["directed"] else ""
            tip = (f'{f["from"]} \u2192 {f["to"]}: {f["words"]} words in {f["documents"]} '
                   f'documents' + ("" if f["directed"] else " (shared, direction unknown)"))
            parts.append(_line(where[f["from"]], where[f["to"]], colour, width, arrow, tip, ""))
    for outlet, place in where.items():
        parts.append(_node(place, outlet, f"{outlet}: {weight[outlet]} words shared"))
    parts.append("</svg>")
    if len(weight) > len(shown):
        parts.append(f'<p class="muted">The {len(shown)} outlets that share the most words; '
                     f'{len(weight) - len(shown)} more in the table below.</p>')
    return "".join(parts)


def _circle(names: list[str]) -> dict[str, tuple[float, float, float]]:
    """Each name's place on the circle: x, y and its angle (radians)."""
    out = {}
    for n, name in enumerate(names):
        angle = 2 * math.pi * n / len(names) - math.pi / 2
        out[name] = (_WIDTH / 2 + _RADIUS * math.cos(angle),
                     _HEIGHT / 2 + _RADIUS * math.sin(angle), angle)
    return out


def _svg_start(label: str) -> list[str]:
    return [f'<svg id="graph" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
            f'aria-label="{html.escape(label)}" xmlns="http://www.w3.org/2000/svg">',
            "<defs>" + "".join(
                f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="22" refY="5" '
                f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                f'<path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
                for k, c in _RELATION_COLOURS.items()) + "</defs>"]


def _line(start: tuple[float, float, float], end: tuple[float, float, float], colour: str,
          width: float, arrow: str, tip: str, extra: str) -> str:
    return (f'<line class="edge"{extra} x1="{start[0]:.1f}" y1="{start[1]:.1f}" '
            f'x2="{end[0]:.1f}" y2="{end[1]:.1f}" stroke="{colour}" stroke-width="{width:.1f}"'
            f'{arrow}><title>{html.escape(tip)}</title></line>')


def _node(place: tuple[float, float, float], label: str, tip: str) -> str:
    """A node with its label along the radius, outwards, upright on either side."""
    x, y, angle = place
    degrees = math.degrees(angle)
    right = math.cos(angle) >= 0
    lx, ly = x + 13 * math.cos(angle), y + 13 * math.sin(angle)
    rotate = degrees if right else degrees + 180
    short = label if len(label) <= LABEL else label[:LABEL - 1] + "\u2026"
    return (f'<g class="node"><circle cx="{x:.1f}" cy="{y:.1f}" r="8"><title>'
            f'{html.escape(tip)}</title></circle><text x="{lx:.1f}" y="{ly:.1f}" '
            f'dominant-baseline="middle" text-anchor="{"start" if right else "end"}" '
            f'transform="rotate({rotate:.1f} {lx:.1f} {ly:.1f})">{html.escape(short)}'
            "</text></g>")


LABEL = 24  # characters of a graph label


def _name(doc: dict[str, Any]) -> str:
    """A document as a reader knows it: its outlet, else its title, else its id."""
    return doc.get("outlet") or doc.get("title") or doc["id"]
