"""The JSON report: provcheck's public contract, versioned by ``schema_version``.

Fields are added, never renamed or dropped, without a version bump. Offsets are Python
``str`` indices into each document's text (``raw[start:end]`` is the text shown).
"""

from __future__ import annotations

from typing import Any

import orjson

from provcheck.records import (
    BoilerplateBlock,
    Document,
    DocumentWords,
    Evidence,
    Gate,
    Overview,
    PairResult,
    Passage,
    QuoteCluster,
    Report,
    Story,
)
from provcheck.stories import story_of

SCHEMA_VERSION = 1


def to_dict(report: Report, *, include_text: bool = False) -> dict[str, Any]:
    texts = {d.id: d.text for d in report.documents}
    member_of = story_of(report.overview.stories) if report.overview else {}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "provcheck", "version": report.tool_version},
        "settings": dict(report.settings),
        "documents": [_document(d, report.words.get(d.id), include_text)
                      for d in report.documents],
        "pairs": [_pair(p, texts[p.a], texts[p.b], _story_of_pair(p, member_of))
                  for p in report.pairs],
        "quotes": [_quote(q, texts) for q in report.quotes],
        "corpus": _overview(report.overview) if report.overview else None,
        "stories": [_story(s) for s in report.overview.stories] if report.overview else [],
        "boilerplate": [_boilerplate(b, texts) for b in report.boilerplate],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "stats": report.stats.to_dict(),
        **({"gate": _gate(report.gate)} if report.gate else {}),
    }


def _gate(gate: Gate) -> dict[str, Any]:
    def match(pair: PairResult) -> dict[str, Any]:
        return {"a": pair.a, "b": pair.b, "relation": pair.relation.value,
                "coverage": max(pair.coverage_a if pair.a in gate.checked else 0.0,
                                pair.coverage_b if pair.b in gate.checked else 0.0)}

    return {"passed": gate.passed, "fail_on": gate.fail_on.value, "min_coverage": gate.min_coverage,
            "baseline": gate.baseline, "checked": list(gate.checked),
            "failing": [match(p) for p in gate.failing],
            "accepted": [match(p) for p in gate.accepted]}


def render_json(report: Report, *, include_text: bool = False, pretty: bool = False) -> str:
    """The report as JSON text; compact unless ``pretty`` (indented by two spaces, as
    ``json.dumps(indent=2)`` does)."""
    return json_bytes(report, include_text=include_text, pretty=pretty).decode()[:-1]


def json_bytes(report: Report, *, include_text: bool = False, pretty: bool = False) -> bytes:
    """``render_json`` as UTF-8, ending with a newline: what is written to a file. By
    orjson: about a tenth of the standard library's time on a large report, and no text
    made only to be encoded again."""
    option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
    return orjson.dumps(to_dict(report, include_text=include_text), option=option)


def _document(doc: Document, words: DocumentWords | None, include_text: bool,
              ) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "outlet": doc.outlet,
        "published": doc.published,
        "url": doc.url,
        "metadata_source": dict(doc.metadata_source),
        "metadata_evidence": dict(doc.metadata_evidence),
        "words": words.words if words else None,
        "body_words": words.body_words if words else None,
        "sha256": doc.sha256,
        "format": doc.format.value,
        "encoding": doc.encoding,
        "notes": list(doc.notes),
    }
    if include_text:
        out["text"] = doc.text
    return out


def _story_of_pair(pair: PairResult, member_of: dict[str, str]) -> str | None:
    """The story both documents of ``pair`` are in, if they are in one."""
    story = member_of.get(pair.a)
    return story if story is not None and member_of.get(pair.b) == story else None


def _story(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "origin": {"document": story.origin.document, "agency": story.origin.agency,
                   "basis": story.origin.basis},
        "documents": len(story.members),
        "outlets": list(story.outlets),
        "first_published": story.first_published,
        "last_published": story.last_published,
        "members": [
            {"document": m.document, "outlet": m.outlet, "title": m.title,
             "published": m.published, "parent": m.parent,
             "relation": m.relation.value if m.relation else None,
             "confidence": m.confidence, "evidence": list(m.evidence),
             "original": m.original}
            for m in story.members
        ],
    }


def _pair(pair: PairResult, text_a: str, text_b: str, story: str | None) -> dict[str, Any]:
    return {
        "a": pair.a,
        "b": pair.b,
        "story": story,
        "relation": pair.relation.value,
        "similarity": pair.similarity,
        "coverage_a": pair.coverage_a,
        "coverage_b": pair.coverage_b,
        "shared_words_a": pair.shared_words_a,
        "shared_words_b": pair.shared_words_b,
        "direction": {
            "source": pair.direction.source,
            "target": pair.direction.target,
            "confidence": pair.direction.confidence,
            "evidence": list(pair.direction.evidence),
            "origin": pair.direction.origin,
        },
        "evidence": _evidence(pair.evidence) if pair.evidence else None,
        "passages": [_passage(p, text_a, text_b, n) for n, p in enumerate(pair.passages)],
        "regions": [
            {"a_start": r.a.start, "a_end": r.a.end, "b_start": r.b.start, "b_end": r.b.end,
             "passages": len(r.passages)}
            for r in pair.regions
        ],
    }


def _overview(view: Overview) -> dict[str, Any]:
    return {
        "clusters": [list(c) for c in view.clusters],
        "outlet_flows": [
            {"from": f.source, "to": f.target, "directed": f.directed, "passages": f.passages,
             "words": f.words, "documents": f.documents}
            for f in view.flows
        ],
        "originality": dict(view.originality),
    }


def _quote(cluster: QuoteCluster, texts: dict[str, str]) -> dict[str, Any]:
    return {
        "id": cluster.id,
        "text": cluster.text,
        "speaker": cluster.speaker,
        "documents": sorted({o.doc for o in cluster.occurrences}),
        "earliest": {"documents": list(cluster.earliest),
                     "published": cluster.earliest_published} if cluster.earliest else None,
        "occurrences": [
            {
                "doc": o.doc,
                "start": o.parts[0].start,
                "end": o.parts[-1].end,
                "parts": [[p.start, p.end] for p in o.parts],
                "text": " \u2026 ".join(p.of(texts[o.doc]) for p in o.parts),
                "kind": o.kind.value,
                "speaker": o.speaker,
                "speaker_mention": {"start": o.mention.start, "end": o.mention.end,
                                    "text": o.mention.of(texts[o.doc])} if o.mention else None,
                "difference": o.difference,
                "edits": [{"canonical": a, "printed": b} for a, b in o.edits],
            }
            for o in cluster.occurrences
        ],
    }


def _passage(p: Passage, text_a: str, text_b: str, index: int) -> dict[str, Any]:
    return {
        "a_start": p.a.start,
        "a_end": p.a.end,
        "b_start": p.b.start,
        "b_end": p.b.end,
        "a_text": p.a.of(text_a),
        "b_text": p.b.of(text_b),
        "similarity": p.similarity,
        "kind": p.kind.value,
        "in_quote": p.in_quote,
        "a_in_quote": p.a_in_quote,
        "b_in_quote": p.b_in_quote,
        "index": index,
        "longest_run": p.run,
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    return {
        "containment": e.containment,
        "verbatim": e.verbatim,
        "lightly_edited": e.lightly_edited,
        "rewritten": e.rewritten,
        "similarity": e.similarity,
        "quoted": e.quoted,
        "narration_words": e.narration_words,
        "close_words": e.close_words,
        "boilerplate_words": e.boilerplate_words,
        "longest_run": e.longest_run,
        "in_order": e.in_order,
        "distinctive": e.distinctive,
        "time_gap_hours": e.gap_hours,
        "time_precision": e.time_precision,
        "credits_a": list(e.credits[0]),
        "credits_b": list(e.credits[1]),
        "agency": e.agency,
        "a_is_agency_copy": e.pages[0],
        "b_is_agency_copy": e.pages[1],
        "a_names_b": e.attributes[0],
        "b_names_a": e.attributes[1],
        "b_reports_a_quotes": e.reported[0],
        "a_reports_b_quotes": e.reported[1],
        "reuse_probability": e.reuse,
        "copied_probability": e.copied,
    }


def _boilerplate(block: BoilerplateBlock, texts: dict[str, str]) -> dict[str, Any]:
    doc, span = block.printed[0]
    return {
        "text": span.of(texts[doc]),
        "words": block.words,
        "rule": block.rule,
        "documents": len({d for d, _ in block.printed}),
        "printed": [{"doc": d, "start": s.start, "end": s.end} for d, s in block.printed],
    }
