"""The terminal report: a summary line, the stories, one line per related pair, then the
rest; ``-v`` for everything (each pair's passages, the documents)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from provcheck import safe
from provcheck.gate import bar, checked_side, describe
from provcheck.phrasing import count
from provcheck.records import Document, Gate, Kind, PairResult, QuoteCluster, Report, Story

_KIND_STYLE = {Kind.VERBATIM: "bold red", Kind.NEAR_VERBATIM: "red", Kind.PARAPHRASE: "yellow"}
_RELATION_STYLE = {"duplicate": "bold red", "copy": "red", "syndicated": "magenta",
                   "paraphrase": "yellow", "shared_source": "cyan"}
EXCERPT = 90


QUOTES_SHOWN = 10
BOILERPLATE_SHOWN = 5
STORIES_SHOWN = 10
PAIRS_SHOWN = 20
FLOWS_SHOWN = 10
TITLE = 60  # characters of a title shown on a line
PAIR_TITLE = 32  # of each title on a pair's line


def render_terminal(report: Report, console: Console, *, verbose: bool = False,
                    quotes_only: bool = False) -> None:
    """A summary line, the stories, one line per related pair, then reuse between outlets,
    boilerplate and shared quotes; ``verbose`` adds each story's tree, each pair's
    evidence and passages, the documents and every quote in full."""
    docs = {d.id: d for d in report.documents}
    shared = [q for q in report.quotes if len({o.doc for o in q.occurrences}) > 1]
    found = report.overview.stories if report.overview else ()
    relations = Counter(p.relation.value.replace("_", " ") for p in report.pairs)
    console.print(
        f"[bold]provcheck {report.tool_version}[/]: {len(report.documents)} documents, "
        + ("" if quotes_only else
           f"{count(len(found), 'story', 'stories')}, {len(report.pairs)} related pairs"
           + (f" ({', '.join(f'{n} {r}' for r, n in relations.most_common())})"
              if relations else "") + ", ")
        + f"{len(report.quotes)} quotes ({len(shared)} carried by several documents), "
        f"{len(report.skipped)} skipped"
    )
    if not quotes_only:
        _stories(console, found, docs, verbose)
        _verdicts(console, report, docs, verbose)
        if verbose:
            for pair in report.pairs:
                _pair(console, pair, docs[pair.a].text, docs[pair.b].text, verbose)
            _documents(console, report)
        _flows(console, report, verbose)
        _boilerplate(console, report, verbose)
    elif verbose:
        _documents(console, report)
    quotes = report.quotes if (quotes_only or verbose) else shared
    _quotes(console, quotes if verbose else quotes[:QUOTES_SHOWN], docs, verbose)
    if not verbose and len(quotes) > QUOTES_SHOWN:
        console.print(f"  ... {len(quotes) - QUOTES_SHOWN} more quotes: -v shows them all")
    if report.skipped:
        console.print("[bold]Skipped[/]")
        for s in report.skipped:
            console.print(_plain(f"  {s.path}: {s.reason}"))
    for note in report.stats.notes:
        console.print(_plain(f"Note: {note}"))
    if report.gate:
        _gate(console, report.gate)


def _stories(console: Console, found: Sequence[Story], docs: Mapping[str, Document],
             verbose: bool) -> None:
    """One line per story, largest first (``-v``: all of them, each with its tree)."""
    if not found:
        return
    console.print("[bold]Stories[/] (documents joined by reuse, largest first"
                  + (")" if verbose else "; -v: who took from whom)"))
    for story in found if verbose else found[:STORIES_SHOWN]:
        outlets = len(story.outlets)
        when = _span_of_times(story.first_published, story.last_published)
        where = (f", {count(outlets, 'outlet')}" if outlets else "") + \
            (f", {when}" if when else "")
        _line(console, f"  {story.id}  {_origin(story, docs)}: {len(story.members)} documents"
              f"{where}  {_title(story.title)}")
        if verbose:
            depth: dict[str | None, int] = {None: 0}
            for m in story.members:
                depth[m.document] = depth.get(m.parent, 0) + 1
                how = m.relation.value if m.relation else "origin"
                sure = f" {m.confidence:.2f}" if m.confidence is not None else ""
                original = f", {m.original:.0%} original" if m.original is not None else ""
                _line(console, f"    {'  ' * (depth[m.document] - 1)}{how}{sure}: "
                      f"{_label(docs[m.document])} ({m.published or 'no date'}{original})")
    if not verbose and len(found) > STORIES_SHOWN:
        more = len(found) - STORIES_SHOWN
        console.print(f"  ... {count(more, 'more story', 'more stories')}: -v shows them all")


def _origin(story: Story, docs: Mapping[str, Document]) -> str:
    origin = story.origin
    if origin.document:
        where = docs[origin.document].outlet or origin.document
        if origin.basis == "agency":
            return f"{origin.agency}'s story ({where})"
        return f"from {where}" + (" (the earliest)" if origin.basis == "earliest" else "") + (
            f" ({origin.agency}'s story)" if origin.agency else "")
    return f"{origin.agency}'s story" if origin.agency else "origin unknown"


def _span_of_times(first: str | None, last: str | None) -> str:
    if not first:
        return ""
    short = [t.replace("T", " ")[:16] for t in (first, last or first)]
    return short[0] if short[0] == short[1] else f"{short[0]} to {short[1]}"


def _label(doc: Document, width: int = 0) -> str:
    """A document as a reader knows it: its outlet and title (its id when it has neither)."""
    if not (doc.title or doc.outlet):
        return doc.id
    title = _title(doc.title, width or TITLE)
    return f"{doc.outlet}: {title}" if doc.outlet else title


def _title(title: str | None, width: int = 0) -> str:
    flat = " ".join((title or "(no title)").split())
    width = width or TITLE
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def _line(console: Console, line: str) -> None:
    """One line of corpus text, cut at the terminal's width rather than wrapped."""
    console.print(_plain(line), no_wrap=True, overflow="ellipsis")


def _gate(console: Console, gate: Gate) -> None:
    """Last, where a CI log ends: whether the check passed, and the matches that decide."""
    accepted = f", {len(gate.accepted)} accepted by {gate.baseline}" if gate.baseline else ""
    if gate.passed:
        console.print(f"[bold green]Check passed[/]: {count(len(gate.checked), 'document')} "
                      f"checked, no match {bar(gate)}{accepted}.")
        return
    console.print(f"[bold red]Check failed[/]: {count(len(gate.failing), 'match')} "
                  f"{bar(gate)}{accepted}:")
    for pair in gate.failing:
        console.print(_plain(f"  {describe(pair, checked_side(pair, gate.checked))}"))


def _documents(console: Console, report: Report) -> None:
    originality = report.overview.originality if report.overview else {}
    table = Table(box=box.SIMPLE_HEAD, title="Documents", title_justify="left")
    for name in ("id", "title", "outlet", "published", "original"):
        table.add_column(name, overflow="fold")
    for d in report.documents:
        share = originality.get(d.id)
        table.add_row(_cell(d.id), _cell(d.title or "-"), _cell(d.outlet or "-"),
                      _cell(d.published or "-"), f"{share:.0%}" if share is not None else "-")
    console.print(table)


def _verdicts(console: Console, report: Report, docs: Mapping[str, Document],
              verbose: bool) -> None:
    """One line per related pair, most similar first (``-v``: all of them)."""
    if not report.pairs:
        console.print("No reused passages found.")
        return
    console.print("[bold]Related pairs[/]" + ("" if verbose else
                                              " (-v: evidence, passages and every pair)"))
    for pair in report.pairs if verbose else report.pairs[:PAIRS_SHOWN]:
        relation = pair.relation.value
        text = Text(f"  {relation:<14}", style=_RELATION_STYLE.get(relation, ""))
        d = pair.direction
        first, second = (d.source, d.target) if d.source and d.target else (pair.a, pair.b)
        how = f"{d.confidence:.2f} ->" if d.source else (f"both {d.origin}" if d.origin else "<->")
        covers = f"{min(pair.coverage_a, 1):.0%}/{min(pair.coverage_b, 1):.0%}"
        text.append(safe.one_line(
            f"{covers:>9}  {how:<9}  {_label(docs[first], PAIR_TITLE)}  |  "
            f"{_label(docs[second], PAIR_TITLE)}"
            + (f"  [{pair.a} <-> {pair.b}]" if verbose else "")))
        console.print(text, no_wrap=not verbose, overflow="fold" if verbose else "ellipsis")
    if not verbose and len(report.pairs) > PAIRS_SHOWN:
        more = len(report.pairs) - PAIRS_SHOWN
        console.print(f"  ... {count(more, 'more pair')}: -v shows them all")


def _direction(pair: PairResult) -> str:
    d = pair.direction
    origin = f" (from {d.origin})" if d.origin else ""
    if d.source:
        return f"{d.source} -> {d.target}{origin}"
    return f"both from {d.origin}" if d.origin else "unknown"


def _boilerplate(console: Console, report: Report, verbose: bool) -> None:
    """The boilerplate set aside, most widely printed first: what was not counted."""
    if not report.boilerplate:
        return
    texts = {d.id: d.text for d in report.documents}
    shown = report.boilerplate if verbose else report.boilerplate[:BOILERPLATE_SHOWN]
    console.print(f"[bold]Boilerplate set aside[/] ({len(report.boilerplate)} blocks, never "
                  "evidence of reuse)")
    for block in shown:
        doc, span = block.printed[0]
        documents = len({d for d, _ in block.printed})
        console.print(_plain(f"  {documents} documents, {block.rule}: "
                             f"{_short(span.of(texts[doc]), verbose)}"))
    if len(shown) < len(report.boilerplate):
        console.print(f"  ... {len(report.boilerplate) - len(shown)} more: -v shows them all")


def _flows(console: Console, report: Report, verbose: bool) -> None:
    if not report.overview or not report.overview.flows:
        return
    flows = report.overview.flows
    table = Table(box=box.SIMPLE_HEAD, title="Reuse between outlets", title_justify="left")
    for name in ("from", "to", "direction known", "passages", "words", "documents"):
        table.add_column(name, overflow="fold")
    for f in flows if verbose else flows[:FLOWS_SHOWN]:
        table.add_row(_cell(f.source), _cell(f.target), "yes" if f.directed else "no (shared)",
                      str(f.passages), str(f.words), str(f.documents))
    console.print(table)
    if not verbose and len(flows) > FLOWS_SHOWN:
        console.print(f"  ... {len(flows) - FLOWS_SHOWN} more: -v shows them all")


def _pair(console: Console, pair: PairResult, text_a: str, text_b: str, verbose: bool) -> None:
    heading = Text.assemble(
        (safe.one_line(f"{pair.a}  <->  {pair.b}"), "bold"),
        f"   {pair.relation.value}   similarity {pair.similarity:.2f}   coverage "
        f"{pair.coverage_a:.0%} / {pair.coverage_b:.0%}   {len(pair.passages)} passages",
    )
    if pair.direction.source or pair.direction.origin:
        confidence = f" ({pair.direction.confidence:.2f})" if pair.direction.source else ""
        heading.append(safe.one_line(f"   {_direction(pair)}{confidence}"))
    console.print(heading)
    for sentence in pair.direction.evidence:
        console.print(_plain(f"  - {sentence}"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("kind")
    table.add_column("sim", justify="right")
    table.add_column("quote")
    table.add_column(_cell(f"{pair.a} [start:end]"), overflow="fold", ratio=1)
    table.add_column(_cell(f"{pair.b} [start:end]"), overflow="fold", ratio=1)
    for n, p in enumerate(pair.passages, start=1):
        table.add_row(
            str(n),
            Text(p.kind.value, style=_KIND_STYLE[p.kind]),
            f"{p.similarity:.2f}",
            "yes" if p.in_quote else "",
            _excerpt(p.a.of(text_a), p.a.start, p.a.end, verbose),
            _excerpt(p.b.of(text_b), p.b.start, p.b.end, verbose),
        )
    console.print(table)


def _quotes(console: Console, quotes: Sequence[QuoteCluster], docs: dict[str, Document],
            verbose: bool) -> None:
    if not quotes:
        return
    console.print("[bold]Quotes[/] (canonical text; each document's printing and how it differs)")
    for cluster in quotes:
        earliest = (f"   earliest: {', '.join(cluster.earliest)} ({cluster.earliest_published})"
                    if cluster.earliest else "")
        speaker = cluster.speaker or "unknown speaker"
        console.print(Text.assemble((f"{cluster.id} ", "bold"),
                                    (safe.one_line(speaker), "italic"), safe.one_line(earliest)))
        console.print(_plain(f"  \u201c{_short(cluster.text, verbose)}\u201d"))
        for o in cluster.occurrences:
            edits = "; ".join(f"{a or '-'} \u2192 {b or '-'}" for a, b in o.edits[:4])
            other = f", speaker {o.speaker}" if o.speaker != cluster.speaker else ""
            place = f"{o.doc} [{o.parts[0].start}:{o.parts[-1].end}]"
            console.print(_plain(f"    {place} {o.kind.value}, {o.difference}"
                                 + (f": {edits}" if edits else "") + other))


def _short(text: str, verbose: bool) -> str:
    flat = " ".join(text.split())
    return flat if verbose or len(flat) <= 2 * EXCERPT else flat[: 2 * EXCERPT - 1] + "\u2026"


def _excerpt(text: str, start: int, end: int, verbose: bool) -> Text:
    flat = " ".join(text.split())
    if not verbose and len(flat) > EXCERPT:
        flat = flat[: EXCERPT - 1] + "…"
    return _cell(f"[{start}:{end}] {flat}")


def _cell(value: str) -> Text:
    """A table cell from the corpus (an id, a title): shown as it is, never read as
    markup, on one line, with no control character reaching the terminal."""
    return Text(safe.one_line(value))


def _plain(line: str) -> Text:
    """A printed line that holds corpus text (a skip reason, a note, a passage)."""
    return Text(safe.printable(line))
