"""What a verdict can say: every evidence sentence, with the relations it may accompany.

A sentence never says more (or less) than its verdict: ``say`` refuses one whose
relation it would contradict, and ``tests/test_provenance.py`` reads this table.
"""

from __future__ import annotations

from collections.abc import Mapping

from provcheck.records import NOT_REUSE, REUSE, Relation

ALL = REUSE | NOT_REUSE
COPIED = frozenset({Relation.DUPLICATE, Relation.COPY, Relation.SYNDICATED})

SENTENCES: Mapping[str, tuple[str, frozenset[Relation]]] = {
    "reuse": ("The model reads this as reuse (probability {p:.2f}): {terms}.", REUSE),
    "not_reuse": ("The model does not read this as reuse (probability {p:.2f}): {terms}.",
                  NOT_REUSE),
    "little_narration": ("They share {words} words of narration, too few to be reuse of "
                         "one text by the other.", NOT_REUSE),
    "copied": ("{share:.0%} of what they share is word for word or lightly edited, its "
               "longest stretch {run} words: copied, not rewritten (probability {p:.2f}).",
               COPIED),
    "rewritten": ("{share:.0%} of what they share is word for word or lightly edited, its "
                  "longest stretch {run} words: one rewrote the other's text (probability "
                  "of a copy {p:.2f}).", frozenset({Relation.PARAPHRASE})),
    "duplicate": ("Nearly all of both texts is shared ({a:.0%} and {b:.0%}){how}.",
                  frozenset({Relation.DUPLICATE})),
    "syndicated": ("Both print {agency}'s story ({how}): each took it from {agency}, "
                   "neither from the other.", frozenset({Relation.SYNDICATED})),
    "agency_rewrite": ("Both carry {agency}'s story ({how}); one rewrote it: where it came "
                       "from is {agency}, not the other outlet.",
                       frozenset({Relation.PARAPHRASE})),
    "agency_page": ("{page} is {agency}'s own copy of the story.", REUSE),
    "quotes_common": ("The texts share the same quotations{who} ({count} passages, {words} "
                      "words) but write their own narration: a common source, such as a "
                      "press conference or a statement.", frozenset({Relation.SHARED_SOURCE})),
    "quotes_recurring": ("The texts share only quotations{who} ({count} passages), printed "
                         "{days:.0f} days apart: recurring statements of the speaker at "
                         "different events, not one text copying the other.",
                         frozenset({Relation.SHARED_SOURCE})),
    "quotes_talking_points": ("The texts share only quotations{who} ({count} passages, "
                              "{words} words), each within different surrounding "
                              "statements: talking points the speaker repeats, not one "
                              "text copying the other.", frozenset({Relation.SHARED_SOURCE})),
    "unrelated": ("They share {words} words, {what}: not evidence that either took from "
                  "the other.", frozenset({Relation.UNRELATED})),
    "boilerplate": ("{words} words both print are boilerplate (set aside).", ALL),
    "only_material": ("Each carries quotations the other lacks ({a} only in {first}, {b} "
                      "only in {second}): neither can be a copy of only the other.", ALL),
    "reported": ("{target} turns {count} quotation(s) that only {source} carries into "
                 "reported speech: it may also have drawn on {source}.", ALL),
    "attribution": ("{target} names {outlet}, the outlet of {source}, as a source.", ALL),
    "time": ("{first} was published {gap} before {second} ({when_first} and {when_second})"
             "{tail}", ALL),
    "same_time": ("Both were published {when}; their times cannot tell which came first.",
                  ALL),
    "undated": ("{which}: dates cannot order them.", ALL),
    "contained": ("{share:.0%} of {source} is in {target}, which adds material of its own "
                  "({added:.0%} not shared): {target} reads as built on {source}.", REUSE),
    "direction": ("Direction {source} -> {target}, probability {p:.2f} of being right: "
                  "{terms}.", ALL),
    "no_direction": ("Nothing tells which came first: the direction is unknown.", ALL),
    "no_outlet_direction": ("Where it came from is {agency}; nothing about these two "
                            "outlets makes one the other's source.", REUSE),
}


def say(key: str, relation: Relation, **fields: object) -> str:
    """The sentence ``key`` for a pair of ``relation``; one that would contradict the
    relation is a programming error."""
    template, allowed = SENTENCES[key]
    if relation not in allowed:
        raise AssertionError(f"sentence {key!r} cannot accompany {relation.value}")
    return template.format(**fields)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, in the plural unless one ("1 match", "3 matches")."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {plural or noun + ('es' if noun.endswith('ch') else 's')}"
