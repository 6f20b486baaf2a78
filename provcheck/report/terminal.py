"""The terminal report: documents, then one table of shared passages per related pair."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from provcheck.records import Kind, PairResult, Report

_KIND_STYLE = {Kind.VERBATIM: "bold red", Kind.NEAR_VERBATIM: "red", Kind.PARAPHRASE: "yellow"}
EXCERPT = 90


def render_terminal(report: Report, console: Console, *, verbose: bool = False) -> None:
    docs = {d.id: d for d in report.documents}
    console.print(
        f"[bold]provcheck {report.tool_version}[/]: {len(report.documents)} documents, "
        f"{len(report.pairs)} related pairs, {len(report.skipped)} skipped"
    )
    table = Table(box=box.SIMPLE_HEAD, title="Documents", title_justify="left")
    for name in ("id", "title", "outlet", "published"):
        table.add_column(name, overflow="fold")
    for d in report.documents:
        table.add_row(d.id, d.title or "-", d.outlet or "-", d.published or "-")
    console.print(table)
    for pair in report.pairs:
        _pair(console, pair, docs[pair.a].text, docs[pair.b].text, verbose)
    if not report.pairs:
        console.print("No reused passages found.")
    if report.skipped:
        console.print("[bold]Skipped[/]")
        for s in report.skipped:
            console.print(f"  {s.path}: {s.reason}", markup=False, highlight=False)
    for note in report.stats.get("notes", []):
        console.print(f"Note: {note}", markup=False)


def _pair(console: Console, pair: PairResult, text_a: str, text_b: str, verbose: bool) -> None:
    heading = Text.assemble(
        (f"{pair.a}  <->  {pair.b}", "bold"),
        f"   {pair.relation.value}   similarity {pair.similarity:.2f}   coverage "
        f"{pair.coverage_a:.0%} / {pair.coverage_b:.0%}   {len(pair.passages)} passages",
    )
    if pair.direction.source:
        heading.append(f"   {pair.direction.source} -> {pair.direction.target} "
                       f"({pair.direction.confidence:.2f})")
    console.print(heading)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("kind")
    table.add_column("sim", justify="right")
    table.add_column("quote")
    table.add_column(f"{pair.a} [start:end]", overflow="fold", ratio=1)
    table.add_column(f"{pair.b} [start:end]", overflow="fold", ratio=1)
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


def _excerpt(text: str, start: int, end: int, verbose: bool) -> Text:
    flat = " ".join(text.split())
    if not verbose and len(flat) > EXCERPT:
        flat = flat[: EXCERPT - 1] + "…"
    return Text(f"[{start}:{end}] {flat}")
