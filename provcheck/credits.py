"""Credits: which agency a text says its story comes from, and which outlets it names as
the source of what it reports.

Two kinds, kept apart because they mean different things:
  * the story's own credit, anywhere in the body (on a scraped page the dateline often
    sits after the site's navigation text): a wire dateline ("HELSINKI (AP) -",
    "NEW YORK, May 30 (Reuters) -", "(CNN) -"), a byline or credit line ("By The
    Associated Press", "Lucas Shaw, Bloomberg", "Source: AFP"), a wire signature
    ("Reporting by ...; Editing by ..." is Reuters'), a wire copyright ("Copyright 2018
    by CNN NewSource"), "... contributed to this report". Photo credits ("(AP
    Photo/Eric Risberg)", "Frank Micelotta/Invision/AP") are not story credits;
  * attributions inside the text: "(Reuters)", "Reuters reported", "according to
    Reuters", "told Reuters", "a poll conducted by the New York Times": the text
    reports what that outlet reported, which says where its material came from.

Names longer than three letters match in any case ("reuters"), shorter ones ("AP") only
as written; every pattern wants the name delimited, so "AP" in "CAPITAL" never matches.
The patterns are built for the names a text mentions at all (found for all names in
one pass over the text by Aho-Corasick), so most texts never run a credit regex.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

# The wire services and syndication agencies a story can be credited to, each with the
# names it is printed under.
AGENCIES: Mapping[str, tuple[str, ...]] = {
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "Reuters": ("Reuters", "Thomson Reuters"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "Bloomberg": ("Bloomberg", "Bloomberg News"),
    "CNN": ("CNN", "CNN Wire", "CNN Newsource"),
    "PA": ("PA", "Press Association", "PA Media", "PA News"),
    "UPI": ("UPI", "United Press International"),
    "dpa": ("dpa", "Deutsche Presse-Agentur"),
    "EFE": ("EFE",),
    "ANSA": ("ANSA",),
    "Xinhua": ("Xinhua",),
    "TASS": ("TASS",),
    "Kyodo": ("Kyodo", "Kyodo News"),
}
_AGENCY_OF = {alias.casefold(): name for name, aliases in AGENCIES.items() for alias in aliases}
_WORD = re.compile(r"\w")
_NEWLINE = re.compile(r"\n")
_DASH = r"[-\u2010-\u2015:]"
_PHOTO = re.compile(r"\([^()\n]*(?:/|\b(?:Photo|Image|Getty)\b)[^()\n]*\)|"
                    r"\b(?:Photo|Image|Photograph|Video)\s*(?:by|:)?\s*[^\n.]{0,60}",
                    re.IGNORECASE)


@lru_cache(maxsize=1)
def agency_finder() -> CreditFinder:
    """A finder of the agencies alone: what a text credits its story to does not depend
    on the corpus, so it is read where the text is segmented."""
    return CreditFinder.of(())


def agency_of(name: str | None) -> str | None:
    """The agency an outlet name (or a domain such as ``bloomberg.com``) is, if any."""
    if not name:
        return None
    return _AGENCY_OF.get(name.casefold()) or _AGENCY_OF.get(domain_label(name).casefold())


def domain_label(name: str) -> str:
    """``cnn`` for ``cnn.com`` or ``edition.cnn.com``; the name itself when it is no
    domain. Outlets are often given by their site's domain, and texts name them by it."""
    parts = name.strip().lower().split("/")[0].split(".")
    if len(parts) < 2 or " " in name.strip():
        return name
    label = parts[-2] if parts[-2] not in ("co", "com", "org", "net", "ac") or len(parts) < 3 \
        else parts[-3]
    return label.upper() if len(label) <= 4 else label


@dataclass(frozen=True, slots=True)
class CreditFinder:
    """Finds, in one text, the agencies credited with its story and the names (outlets,
    agencies) it attributes material to."""

    names: tuple[str, ...]
    folded: ahocorasick.Automaton  # longer names, lower case -> (key length, positions)
    exact: ahocorasick.Automaton  # names of up to three letters, as written -> the same

    @classmethod
    def of(cls, outlets: Iterable[str]) -> CreditFinder:
        names = {alias for aliases in AGENCIES.values() for alias in aliases}
        for outlet in outlets:
            names |= {outlet, domain_label(outlet)}
        ordered = tuple(sorted(names, key=lambda n: (-len(n), n)))
        folded, exact = ahocorasick.Automaton(), ahocorasick.Automaton()
        for k, name in enumerate(ordered):
            automaton, key = (folded, name.lower()) if len(name) > 3 else (exact, name)
            automaton.add_word(key, (len(key), *automaton.get(key, (0,))[1:], k))
        for automaton in (folded, exact):
            automaton.make_automaton()
        return cls(ordered, folded, exact)

    def read(self, text: str) -> Credits:
        """The text's credits: the agencies credited with its story and the names it
        attributes material to. Only the lines that mention a name are read (a page
        mentions few), each without its photo credits."""
        lines = self._lines_mentioning(text)
        story: set[str] = set()
        named: set[str] = set()
        for line, names in lines:
            plain = _PHOTO.sub(" ", line)
            agencies = tuple(n for n in names if agency_of(n))
            if agencies:
                story |= _find(_story_patterns(agencies), plain)
            canonical = {n.casefold(): n for n in names}
            named |= {canonical.get(m.casefold(), m)
                      for m in _find(_attribution_patterns(names), plain)}
        if "eporting by" in text and _REUTERS_SIGNATURE.search(text):
            story.add("Reuters")
        return Credits(frozenset(filter(None, (agency_of(n) for n in story))), frozenset(named))

    def story_credits(self, text: str) -> frozenset[str]:
        """The agencies the text credits with its story, anywhere in it."""
        return self.read(text).story

    def attributions(self, text: str) -> frozenset[str]:
        """The names the text attributes material to ("according to Reuters"), as
        given to ``of``."""
        return self.read(text).named

    def _lines_mentioning(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """Each line of ``text`` that mentions a name, with the names it mentions."""
        hits: list[tuple[int, tuple[int, ...]]] = []
        for automaton, searched in ((self.folded, text.lower()), (self.exact, text)):
            if automaton.kind != ahocorasick.AHOCORASICK:
                continue  # no names of this kind
            for last, (length, *names) in automaton.iter(searched):
                start = last + 1 - length
                if _delimited(searched, start, last + 1):
                    hits.append((start, tuple(names)))
        if not hits:
            return []
        breaks = [m.start() for m in _NEWLINE.finditer(text)]
        found: dict[int, set[int]] = {}
        for start, names in hits:
            line = bisect.bisect_left(breaks, start)
            found.setdefault(line, set()).update(names)
        bounds = [-1, *breaks, len(text)]
        return [(text[bounds[line] + 1:bounds[line + 1]],
                 tuple(self.names[k] for k in sorted(names)))
                for line, names in sorted(found.items())]


@dataclass(frozen=True, slots=True)
class Credits:
    story: frozenset[str]  # agencies credited with the story
    named: frozenset[str]  # names material is attributed to


# "Reporting by Brendan Pierson in New York; Editing by ...": how Reuters signs a story.
_REUTERS_SIGNATURE = re.compile(r"\(?\bReporting by [A-Z][^\n;]{2,80};\s*(?:[Aa]dditional "
                                r"reporting by [^\n;]{2,80};\s*)?[Ee]diting by ")


def _delimited(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` not part of a longer word, where it begins or ends with a
    word character (as a pattern's ``\\b`` or parenthesis wants)?"""
    def word(i: int) -> bool:
        return 0 <= i < len(text) and _WORD.match(text, i) is not None
    return not (word(start) and word(start - 1)) and not (word(end - 1) and word(end))


def _as_written(name: str) -> str:
    """A pattern for ``name``: in any case when longer than three letters."""
    return f"(?i:{re.escape(name)})" if len(name) > 3 else re.escape(name)


def _name_group(names: Sequence[str]) -> str:
    return f"(?P<name>{'|'.join(map(_as_written, names))})"


# Patterns are made for each set of names a text mentions (a corpus of 300 outlets has
# ~1,000 such sets), and kept.
@lru_cache(maxsize=4096)
def _story_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """A story's own credit: wire dateline, byline or credit line, copyright, and
    "... contributed to this report"."""
    name = _name_group(names)
    return (
        # HELSINKI (AP) -, NEW YORK, May 30 (Reuters) -, (CNN) -
        re.compile(rf"\({name}\)\s*{_DASH}"),
        # By The Associated Press / By AMIR VERA, CNN / Lucas Shaw, Bloomberg /
        # The Associated Press (a line of its own) / Source: AFP / Via AP
        re.compile(rf"(?m)^[ \t]*(?:(?:By|Source:|Via|From)\s+)?(?:[A-Z][\w.'\-]*\s+"
                   rf"(?:and\s+)?){{0,6}}(?:[A-Z][\w.'\-]*,\s+)?(?:[Tt]he\s+)?{name}"
                   rf"(?:\s+(?:[Ww]riters?|[Rr]eporters?|[Cc]orrespondents?|[Ss]taff))?"
                   rf"[ \t]*(?:{_DASH}.*)?$"),
        re.compile(rf"\b(?:[Ss]ource|[Cc]redit)\s*:\s*(?:[Tt]he\s+)?{name}\b"),
        re.compile(rf"(?i:copyright|\u00a9)\s*(?:\d{{4}}\s+)?(?:by\s+)?(?:[Tt]he\s+)?{name}"),
        re.compile(rf"\b{name}\b[^.\n]{{0,60}}contributed to this report"),
    )


_LEAD = (r"(?i:according to|told|via|reported by|first reported by|as reported by|"
         r"conducted by|commissioned by|cited by|citing|source:)\s+(?:[Tt]he\s+)?")


@lru_cache(maxsize=4096)
def _attribution_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """"(Reuters)", "Reuters reported", "according to Reuters" ... of ``names``."""
    name = _name_group(names)
    return (re.compile(rf"\({name}\)"),
            re.compile(rf"\b{name}\s+(?i:reported|reports|said|says|first reported|found)\b"),
            re.compile(rf"\b{_LEAD}{name}\b"))


def _find(patterns: Iterable[re.Pattern[str]], text: str) -> set[str]:
    return {m.group("name") for pattern in patterns for m in pattern.finditer(text)}
