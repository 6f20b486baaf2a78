"""A document's quotations and local speakers as an index stores them: compact JSON.

Quotations are a pure function of a document's text (the rules read its own page
chrome, never the corpus's), so ``index add`` finds them once and ``check`` reads them
back for the indexed documents it aligns, instead of running the rules again: they are
two thirds of preparing a news article. ``VERSION`` says which rules made a record; a
record of other rules is not read, and the document's quotations are found again.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from provcheck.quotes.reading import Quotation
from provcheck.quotes.speakers import LocalSpeaker
from provcheck.records import QuoteKind, Span

# Raised whenever the quotation or speaker rules change what a text's quotations or
# local speakers are: records of other versions are then found again.
VERSION = 1

Found = tuple[tuple[Quotation, ...], tuple[LocalSpeaker, ...]]


def encode(quotations: Sequence[Quotation], speakers: Sequence[LocalSpeaker]) -> str:
    """One document's quotations and their local speakers (one for each) as JSON: each
    quotation [kind, [start, end, ...] of its parts, cue, mention, inherited] with its
    speaker's [name, description]."""
    return orjson.dumps([
        [q.kind.value, [x for p in q.parts for x in (p.start, p.end)], _pair(q.cue),
         _pair(q.mention), q.inherited, s.name, s.description]
        for q, s in zip(quotations, speakers, strict=True)]).decode()


def decode(record: str) -> Found:
    """The quotations and local speakers ``encode`` was given."""
    quotations, speakers = [], []
    for kind, bounds, cue, mention, inherited, name, description in orjson.loads(record):
        quotations.append(Quotation(
            parts=tuple(Span(start=s, end=e) for s, e in zip(bounds[::2], bounds[1::2],
                                                              strict=True)),
            kind=QuoteKind(kind), cue=_span(cue), mention=_span(mention), inherited=inherited))
        speakers.append(LocalSpeaker(name=name, description=description))
    return tuple(quotations), tuple(speakers)


def _pair(span: Span | None) -> list[int] | None:
    return None if span is None else [span.start, span.end]


def _span(pair: list[int] | None) -> Span | None:
    return None if pair is None else Span(start=pair[0], end=pair[1])
