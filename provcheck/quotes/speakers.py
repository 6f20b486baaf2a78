"""Who said it: speaker mentions resolved to one name per person across a corpus.

Within a document, in text order:
  * a mention with a person's name gives that name, without titles and appositions
    ("NATO Secretary General Jens Stoltenberg", "Jens Stoltenberg, NATO Secretary
    General" and "Mr. Stoltenberg" all give a name ending in "Stoltenberg");
  * "he"/"she", and a definite description ("the NATO chief", "NATO SG"), resolve to the
    last named speaker in reach, preferring one whose titles share the description's
    words ("NATO"); nothing in reach leaves the speaker unknown;
  * an indefinite description ("a senior state department official") is its own
    unnamed speaker, reported as written;
  * a quotation without attribution continues the previous speaker, if near enough;
  * a transcript label that names an earlier label's affiliation ("euronews:" after
    "James Franey, euronews:") is that person.
Across documents, a bare surname joins the one full name it has in the corpus.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from provcheck.quotes.cues import (
    PERSON_PRONOUNS,
    PERSON_TITLES,
    PRONOUNS,
    TIME_WORDS,
    TITLE_WORDS,
)
from provcheck.quotes.extract import INHERIT_PARAGRAPHS
from provcheck.quotes.reading import Quotation
from provcheck.records import QuoteKind, picklable

REACH = 3000  # characters back in which "he" or "the NATO chief" finds its person
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w.'\u2019\-]*")
# Capitalised at the start of a sentence, never part of a name.
_NOT_NAMES = frozenset(
    "the a an and but or so however meanwhile when while after before as if since though "
    "although because during despite".split())
_INDEFINITE = ("a ", "an ", "one ", "some ", "another ", "two ", "three ", "several ")


@picklable
@dataclass(frozen=True, slots=True)
class LocalSpeaker:
    """A document-level answer: a person's name, a description, or unknown."""

    name: str | None  # a person's name as this document gives it
    description: str | None  # an unnamed speaker as written ("a senior official")


@dataclass(slots=True)
class _Person:
    name: str
    context: set[str]  # title and organisation words seen with the name
    position: int


def resolve_document(text: str, quotations: Sequence[Quotation]) -> list[LocalSpeaker]:
    """The speaker of each quotation of one document (see the module docstring)."""
    people: list[_Person] = []
    named = _Named(text)  # people the narration names, found when a description needs them
    affiliations: dict[str, str] = {}
    out: list[LocalSpeaker] = []
    previous: tuple[LocalSpeaker, int] | None = None
    for quotation in quotations:
        position = quotation.span.start
        mention = text[quotation.mention.start : quotation.mention.end] if quotation.mention \
            else None
        if mention is None:
            near = previous is not None and position - previous[1] < INHERIT_PARAGRAPHS * 600
            speaker = previous[0] if (quotation.inherited and near and previous) else \
                LocalSpeaker(None, None)
        else:
            speaker = _resolve(mention, quotation, position, people, named, affiliations)
        out.append(speaker)
        if speaker.name or speaker.description:
            previous = (speaker, quotation.span.end)
    return out


def _resolve(mention: str, quotation: Quotation, position: int, people: list[_Person],
             named: _Named, affiliations: dict[str, str]) -> LocalSpeaker:
    flat = " ".join(mention.split())
    low = flat.lower()
    if quotation.kind is QuoteKind.LABEL and low in affiliations:
        return LocalSpeaker(affiliations[low], None)
    if low in PRONOUNS:
        person = _last(people, position, set()) if low in PERSON_PRONOUNS else None
        return LocalSpeaker(person.name if person else None, None)
    name, context = person_name(flat)
    if name:
        people.append(_Person(name, context, position))
        if quotation.kind is QuoteKind.LABEL and "," in flat:
            affiliations[flat.split(",", 1)[1].strip().lower()] = name
        return LocalSpeaker(name, None)
    if low.startswith(_INDEFINITE):
        return LocalSpeaker(None, flat)
    # A definite description: "the NATO chief", "NATO SG", "the head of the UN panel".
    person = _last(people, position, context) or _last(named.before(position), position,
                                                       context)
    if person is not None:
        people.append(_Person(person.name, person.context | context, position))
        return LocalSpeaker(person.name, None)
    return LocalSpeaker(None, flat)


# Where a description's complement starts: "the head *of* the UN panel".
_COMPLEMENT = re.compile(r"\s(?:of|for|at|in|from|with|that|who|which|on)\s")
# Every match starts with a capital; the lookahead says so to the regex engine, which
# then skips other positions at once (3.5x faster over news text, the same matches).
_NAMED = re.compile(
    r"(?=[A-Z])(?:(?:[A-Z]{2,5}|[A-Z][a-z]{1,3}\.|[A-Z][a-z]+)[ \t]+){0,3}"
    r"[A-Z][a-z\u00e0-\u024f]+(?:-[A-Z][a-z]+)?(?:[ \t]+[A-Z]\.)?[ \t]+"
    r"[A-Z][a-z\u00e0-\u024f]+(?:-[A-Z][a-z]+)?")


class _Named:
    """The people a text names, found as far into the text as they are asked for: a
    description looks back from its quotation for them, and quotations come in text
    order, so the text after the last one that needs them is never searched."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._matches: Iterator[re.Match[str]] | None = None  # started when first asked
        self._next: re.Match[str] | None = None
        self._people: list[_Person] = []

    def before(self, position: int) -> list[_Person]:
        """The people named at or before ``position`` (and perhaps some after it)."""
        if self._matches is None:
            self._matches = _NAMED.finditer(self.text)
            self._next = next(self._matches, None)
        while self._next is not None and self._next.start() <= position:
            person = _named_at(self.text, self._next)
            if person is not None:
                self._people.append(person)
            self._next = next(self._matches, None)
        return self._people


def _named_at(text: str, match: re.Match[str]) -> _Person | None:
    """The person a name match names ("NATO Secretary General Jens Stoltenberg", "Jens
    Stoltenberg, NATO secretary general"), with the title words around the name; None
    when it is no person's full name or no title is near it."""
    name, _ = person_name(match.group())
    if not name or " " not in name:
        return None
    _, context = person_name(text[max(0, match.start() - 40) : match.end() + 40])
    if not context & PERSON_TITLES:  # an organisation is seldom next to "secretary"
        return None
    return _Person(name, context, match.start())


def _last(people: list[_Person], position: int, context: set[str]) -> _Person | None:
    """The most recent person in reach, preferring one who shares the context words."""
    near = [p for p in people if 0 <= position - p.position <= REACH]
    if not near:
        return None
    if context:
        sharing = [p for p in near if p.context & context]
        if sharing:
            return sharing[-1]
        return None  # "the head of the UN panel" is not whoever was named last
    return near[-1]


def person_name(mention: str) -> tuple[str | None, set[str]]:
    """A person's name in a mention, and the title and organisation words around it.

    The name is the last run of capitalised words that are neither titles nor acronyms,
    before any apposition (", the coordinator of ...") and before a description's
    complement ("the head of the UN panel" names no one).
    """
    context = {bare for w in _WORD.findall(mention) for bare in (w.lower().strip("."),)
               if bare in TITLE_WORDS or (w.isupper() and len(w) > 1)}
    head = mention.split(",", 1)[0]
    head = _COMPLEMENT.split(head, maxsplit=1)[0]
    words = _WORD.findall(head)
    if words and words[-1][:1].islower():
        return None, context  # "Labor Department officials", "Trump's campaign"
    run: list[str] = []
    for word in reversed(words):
        if _name_word(word):
            run.append(word)
        elif run:
            break
    if not run:
        return None, context
    return " ".join(reversed(run)).removesuffix("'s").removesuffix("\u2019s"), context


def _name_word(word: str) -> bool:
    bare = word.lower().strip(".")
    return (word[:1].isupper() and bare not in TITLE_WORDS and bare not in TIME_WORDS
            and bare not in _NOT_NAMES and not (word.isupper() and len(word) > 2))


def canonical_names(names_by_document: Sequence[Sequence[str | None]]) -> list[dict[str, str]]:
    """For each document, every name form it uses mapped to one name per person.

    A bare surname joins the full name it has in its own document, else the one full
    name with that surname in the corpus; with several people of one surname in the
    corpus ("Bill Clinton", "Hillary Clinton") and none in the document, it stays bare.
    """
    full: dict[str, set[str]] = defaultdict(set)
    for names in names_by_document:
        for name in names:
            if name and len(name.split()) > 1:
                full[_surname(name)].add(name)
    out = []
    for names in names_by_document:
        local: dict[str, set[str]] = defaultdict(set)
        for name in names:
            if name and len(name.split()) > 1:
                local[_surname(name)].add(name)
        mapping = {}
        for name in {n for n in names if n}:
            forms = local.get(_surname(name)) or full.get(_surname(name), set())
            people = {_first_last(f) for f in forms}
            mapping[name] = max(sorted(forms), key=len) if len(people) == 1 else name
        out.append(mapping)
    return out


def _surname(name: str) -> str:
    return name.split()[-1].lower().strip(".")


def _first_last(name: str) -> str:
    parts = name.split()
    return f"{parts[0].lower()} {parts[-1].lower()}"
