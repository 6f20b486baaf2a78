"""Region edges: where the shared text starts and ends, to the word and the character.

Regions are found on sentences, so their edges first fall where a sentence the aligner
paired does: a copy that starts mid-sentence, runs on over a line the aligner passed
over as page chrome, or breaks its lines elsewhere than its source would lose its first
or last words. Each edge is walked outwards word by word against the other text
(``_walk``: the words of both sides aligned with rapidfuzz's ``Indel.opcodes``, each
shared word scoring +1 and each word only one side has ``UNSHARED_COST``; the edge goes
where the score peaks, and the walk stops once it falls ``DROP`` below the peak, as
BLAST's X-drop extension does). Edited text extends as long as it shares more than it
changes; unrelated text never does. Then the edge runs on over the characters both texts
share exactly (an opening quote, a closing full stop), to a whole word.

Trimming is the passages' business: a sentence pair's words are trimmed to the first and
last shared run where it is copied (``passages.compare_tokens``), so an edge that starts
on a sentence the copy began mid-way is already where the shared words start.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Sequence

from rapidfuzz.distance import Indel

from provcheck.alignment.passages import Side, compare_tokens, region_over
from provcheck.records import Kind, Passage, Region, Span

# Each word only one side has costs this much; a shared word gains 1. A word replaced
# by another costs two words, so an edge runs on over text that keeps most of its words.
UNSHARED_COST = 0.4
# An edge runs on only over this many shared words more than unshared ones: one word
# both texts happen to have next (a "the" after a copy's end) is chance.
MIN_GAIN = 2.0
# The walk stops once its score is this far below the best it reached, or below 0
# by ``START_DROP`` before it gained anything: the shared text has to go on from the
# edge, not resume a few words away (a stock phrase in the next sentence).
DROP = 6.0
START_DROP = 1.5
# Characters looked at beyond the last shared word: its punctuation, a quote mark.
TAIL_CHARS = 24
# Words looked at beyond an edge: about two sentences, and four times as many while the
# walk reaches the window's end (a copy running on over lines the aligner passed over).
WINDOW_WORDS = 40
MAX_WINDOW_WORDS = 640


def refine(regions: Sequence[Region], a: Side, b: Side) -> tuple[Region, ...]:
    """``regions`` in order, each run on at both ends over the words and then the
    characters it shares with the other text there, never into a neighbouring region
    nor into its outlet's boilerplate. An end is run on only where one passage makes it
    on both sides (a region whose passages cross has no one place to continue from)."""
    ordered = sorted(regions, key=lambda r: (r.a.start, r.b.start))
    out: list[Region] = []
    for k, region in enumerate(ordered):
        # Earlier regions are final (out); later ones not yet run on (ordered).
        floor_a = max((r.a.end for r in out if r.a.end <= region.a.start), default=0)
        floor_b = max((r.b.end for r in out if r.b.end <= region.b.start), default=0)
        later = ordered[k + 1:]
        ceil_a = min((r.a.start for r in later if r.a.start >= region.a.end),
                     default=len(a.text))
        ceil_b = min((r.b.start for r in later if r.b.start >= region.b.end),
                     default=len(b.text))
        out.append(_run_on(region, a, b, (floor_a, floor_b), (ceil_a, ceil_b)))
    return tuple(out)


def _run_on(region: Region, a: Side, b: Side, floor: tuple[int, int],
            ceil: tuple[int, int]) -> Region:
    passages = list(region.passages)
    first = _passage_at(passages, lambda p: (p.a.start, p.b.start),
                        (region.a.start, region.b.start))
    if first is not None:
        passages = _extended(passages, first, a, b, floor, -1)
    last = _passage_at(passages, lambda p: (p.a.end, p.b.end),
                       (max(p.a.end for p in passages), max(p.b.end for p in passages)))
    if last is not None:
        passages = _extended(passages, last, a, b, ceil, 1)
    if passages == list(region.passages):
        return region
    return region_over(passages)


def _extended(passages: list[Passage], at: int, a: Side, b: Side, bound: tuple[int, int],
              step: int) -> list[Passage]:
    """The passages with the one at index ``at`` run on past its start (``step`` -1)
    or end (1) over the words and characters both texts share there, up to ``bound``."""
    edge = passages[at]
    start = step < 0
    # Never into the outlet's boilerplate, word by word or character by character.
    bound = (_before_boilerplate(a, edge.a, bound[0], step),
             _before_boilerplate(b, edge.b, bound[1], step))
    if not _could_start(a, b, edge, bound, step):
        return _exact_tail(list(passages), a.text, b.text, bound, step)
    words = WINDOW_WORDS
    while True:  # a window, then four times as many words while the walk reaches its end
        tok_a = _outside(a, edge.a, bound[0], step, words)
        tok_b = _outside(b, edge.b, bound[1], step, words)
        n_a, n_b = _walk(_forms(a, tok_a), _forms(b, tok_b))
        if words >= MAX_WINDOW_WORDS or not ((n_a == len(tok_a) == words)
                                             or (n_b == len(tok_b) == words)):
            break
        words *= 4
    out = list(passages)
    if n_a and n_b:
        added_a = (tok_a[n_a - 1], tok_a[0] + 1) if start else (tok_a[0], tok_a[n_a - 1] + 1)
        added_b = (tok_b[n_b - 1], tok_b[0] + 1) if start else (tok_b[0], tok_b[n_b - 1] + 1)
        out = _taken_in(out, at, a, b, (added_a, added_b), start)
    return _exact_tail(out, a.text, b.text, bound, step)


def _taken_in(passages: list[Passage], at: int, a: Side, b: Side,
              added: tuple[tuple[int, int], tuple[int, int]], start: bool) -> list[Passage]:
    """The passages with the ``added`` tokens (before the one at ``at`` when ``start``,
    else after it) as a passage of their own, or the edge passage grown to take them in
    where they read alike and sit in its paragraphs."""
    edge, out = passages[at], list(passages)
    new = compare_tokens(a, b, added[0], added[1], ()).passage
    if a.one_block(new.a, edge.a) and b.one_block(new.b, edge.b) \
            and (new.kind is Kind.PARAPHRASE) == (edge.kind is Kind.PARAPHRASE):
        own_a = a.seg.token_ranges([edge.a])[0].tolist()
        own_b = b.seg.token_ranges([edge.b])[0].tolist()
        whole_a = (added[0][0], own_a[1]) if start else (own_a[0], added[0][1])
        whole_b = (added[1][0], own_b[1]) if start else (own_b[0], added[1][1])
        grown = compare_tokens(a, b, whole_a, whole_b, ()).passage
        if _covers(grown, edge):
            out[at] = grown
            return out
    out.append(new)
    return out


def _could_start(a: Side, b: Side, edge: Passage, bound: tuple[int, int], step: int) -> bool:
    """Whether a walk from the edge can gain anything: a word both texts have among the
    first few beyond it on each side, before ``START_DROP`` is spent on words only one
    has (``x + y`` of them before a shared word at ``x``, ``y``). Most edges are where
    the texts part, and this is all that is read of them."""
    reach = int(START_DROP / UNSHARED_COST)
    near_a = _outside(a, edge.a, bound[0], step, reach + 1)
    near_b = _outside(b, edge.b, bound[1], step, reach + 1)
    words_a, words_b = _forms(a, near_a), _forms(b, near_b)
    return any(x + y <= reach and u == w for x, u in enumerate(words_a)
               for y, w in enumerate(words_b))


def _before_boilerplate(side: Side, span: Span, bound: int, step: int) -> int:
    """``bound`` moved in to the nearest block of the outlet's boilerplate beyond
    ``span`` (before it when ``step`` is -1), if one lies nearer."""
    flagged = side.seg.outlet_chrome
    if not flagged.any():
        return bound
    blocks = side.seg.block_span[flagged]
    if step < 0:
        ends = blocks[:, 1][blocks[:, 1] <= span.start]
        return max(bound, int(ends.max())) if len(ends) else bound
    starts = blocks[:, 0][blocks[:, 0] >= span.end]
    return min(bound, int(starts.min())) if len(starts) else bound


def _outside(side: Side, span: Span, bound: int, step: int, words: int) -> list[int]:
    """Token indices beyond ``span`` (nearest first) up to ``bound``, at most
    ``words`` (Python ints: they end up in the report's JSON). A scalar binary search
    of the token offsets, as ``bisect`` does it on the array: numpy's own costs more
    for one value than the search does."""
    starts, ends = side.seg.tok_start, side.seg.tok_end
    if step < 0:
        first = bisect.bisect_left(starts, bound)
        end = bisect.bisect_left(starts, span.start)
        return list(range(end - 1, max(first, end - words) - 1, -1))
    start = bisect.bisect_left(starts, span.end)
    last = bisect.bisect_right(ends, bound)
    return list(range(start, min(last, start + words)))


def _forms(side: Side, tokens: list[int]) -> list[int]:
    """The normalised forms of ``tokens``, a run of consecutive indices either way."""
    if not tokens:
        return []
    lo, hi = min(tokens[0], tokens[-1]), max(tokens[0], tokens[-1]) + 1
    forms = side.seg.tok_hash[lo:hi].tolist()
    return forms if tokens[0] <= tokens[-1] else forms[::-1]


def _walk(seq_a: list[int], seq_b: list[int]) -> tuple[int, int]:
    """How many words of each sequence (both read outwards from an edge) the edge runs
    on over: to the highest score of shared words (+1) against unshared ones
    (``UNSHARED_COST``), stopping once the score falls ``DROP`` below its best."""
    if not seq_a or not seq_b:
        return 0, 0
    best = score = 0.0
    reach = (0, 0)
    for op in Indel.opcodes(seq_a, seq_b):
        if op.tag == "equal":
            score += op.src_end - op.src_start
            if score > best:
                best, reach = score, (op.src_end, op.dest_end)
            continue
        score -= UNSHARED_COST * (op.src_end - op.src_start + op.dest_end - op.dest_start)
        if score < best - (DROP if best else START_DROP):
            break
    return reach if best >= MIN_GAIN else (0, 0)


def _covers(grown: Passage, edge: Passage) -> bool:
    return (grown.a.start <= edge.a.start and edge.a.end <= grown.a.end
            and grown.b.start <= edge.b.start and edge.b.end <= grown.b.end)


def _exact_tail(passages: list[Passage], text_a: str, text_b: str, bound: tuple[int, int],
                step: int) -> list[Passage]:
    """The passages with the outermost one (on ``step``'s side) run on over the
    characters both texts share exactly beyond it (``_shared_run``)."""
    if step < 0:
        k = min(range(len(passages)), key=lambda i: (passages[i].a.start, passages[i].b.start))
        p = passages[k]
        n = _shared_run(text_a, text_b, p.a.start, p.b.start,
                        min(p.a.start - bound[0], p.b.start - bound[1], TAIL_CHARS), -1)
        added = text_a[p.a.start - n:p.a.start]
        grown = _spanning(p, n, 0, added)
    else:
        k = max(range(len(passages)), key=lambda i: (passages[i].a.end, passages[i].b.end))
        p = passages[k]
        n = _shared_run(text_a, text_b, p.a.end, p.b.end,
                        min(bound[0] - p.a.end, bound[1] - p.b.end, TAIL_CHARS), 1)
        grown = _spanning(p, 0, n, text_a[p.a.end:p.a.end + n])
    if not n:
        return passages
    return [grown if i == k else x for i, x in enumerate(passages)]


def _passage_at(passages: Sequence[Passage], where: Callable[[Passage], tuple[int, int]],
                edge: tuple[int, int]) -> int | None:
    """The index of the passage that ``where`` finds at ``edge``, if any."""
    return next((k for k, p in enumerate(passages) if where(p) == edge), None)


def _shared_run(text_a: str, text_b: str, at_a: int, at_b: int, most: int, step: int) -> int:
    """How many characters from ``at_a``/``at_b`` (backwards when ``step`` is -1) both
    texts share exactly, at most ``most``, cut back to whole words: a run begins with a
    word or an opening quote or bracket and ends with a word or the punctuation that
    closes one, never inside a word on either side ("the cat" | "that cat")."""
    n = 0
    if step < 0:
        while n < most and text_a[at_a - n - 1] == text_b[at_b - n - 1]:
            n += 1
        while n and (_inside_word(text_a, at_a - n) or _inside_word(text_b, at_b - n)
                     or not _opens(text_a, at_a - n)):
            n -= 1
    else:
        while n < most and text_a[at_a + n] == text_b[at_b + n]:
            n += 1
        while n and (_inside_word(text_a, at_a + n) or _inside_word(text_b, at_b + n)
                     or not _closes(text_a[at_a + n - 1])):
            n -= 1
    return n


_OPENING = "\"'(\u201c\u2018\u00ab["
_CLOSING = ".,;:!?\"')\u201d\u2019\u00bb]\u2026%"


def _opens(text: str, at: int) -> bool:
    """Whether a passage may begin at ``at``: on a letter or digit, or on an opening
    quote or bracket followed by one (``said." At`` begins at ``At``)."""
    char = text[at]
    return char.isalnum() or (char in _OPENING and at + 1 < len(text)
                              and text[at + 1].isalnum())


def _closes(char: str) -> bool:
    """Whether a passage may end on ``char``: a letter, a digit, or closing punctuation."""
    return char.isalnum() or char in _CLOSING


def _inside_word(text: str, at: int) -> bool:
    """Whether position ``at`` falls between two letters or digits of one word."""
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def _spanning(passage: Passage, before: int, after: int, added: str) -> Passage:
    """``passage`` run on by ``before`` characters at its start and ``after`` at its end;
    a verbatim one's longest run counts the words ``added``."""
    run = passage.run + len(added.split()) if passage.kind is Kind.VERBATIM else passage.run
    return dataclasses.replace(
        passage, a=Span(start=passage.a.start - before, end=passage.a.end + after),
        b=Span(start=passage.b.start - before, end=passage.b.end + after), run=run)
