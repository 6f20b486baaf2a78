"""The ``provcheck index`` commands: keep a corpus in an index, list and prune it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import click

from provcheck import safe
from provcheck.clikit import engine_option, errors, settings_of, settings_options
from provcheck.errors import ProvcheckError
from provcheck.report.progress import progress_bar
from provcheck.settings import resolve


@click.group(name="index")
def index_group() -> None:
    """Keep a corpus in an index, to check new documents against it every day."""


def _db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", required=True, type=click.Path(dir_okay=False),
                        help="The index file (SQLite), e.g. corpus.db.")(fn)


# What the index commands that print a listing (stats, list) write.
_listing_format = click.option("--format", "fmt", type=click.Choice(["terminal", "json"]),
                               default="terminal")


@index_group.command(name="add")
@click.argument("paths", nargs=-1, required=True)
@_db_option
@click.option("--meta", type=click.Path(), help="Manifest (CSV or JSONL) of outlet, date, url, "
              "title per path or id.")
@click.option("--wait", type=float, default=600, show_default=True,
              help="Seconds to wait while another run writes the index.")
@click.option("--progress/--no-progress", default=None)
@settings_options
@engine_option
def index_add(paths: tuple[str, ...], db: str, meta: str | None, wait: float,
              progress: bool | None, engine: str, **opts: Any) -> None:
    """Add the documents under PATHS to the index: new and changed ones only.

    A changed document replaces its old version. Everything a run writes is written at
    once, at its end: a run killed at any point leaves the index as it was.

    \b
    Example:
      provcheck index add articles/ --db corpus.db
    """
    from provcheck.engine import open_engine
    from provcheck.index.workflow import index_add as run_add

    with errors():
        settings = settings_of(opts, db)
        with open_engine(engine, settings.jobs) as runner, progress_bar(progress) as tick:
            summary = run_add(list(paths), db, settings, meta=meta, wait=wait, progress=tick,
                              engine=runner)
        click.echo(f"{db}: {len(summary.added)} added, {len(summary.replaced)} replaced, "
                   f"{summary.unchanged} unchanged, {len(summary.skipped)} skipped "
                   f"({summary.seconds:.1f} s)")
        for s in summary.skipped:
            click.echo(f"  skipped {s.path}: {s.reason}")


@index_group.command(name="stats")
@_db_option
@_listing_format
def index_stats(db: str, fmt: str) -> None:
    """How many documents and passages the index holds, and its settings.

    \b
    Example:
      provcheck index stats --db corpus.db
    """

    def lines(stats: dict[str, Any]) -> Iterator[str]:
        yield (f"{stats['path']}: {stats['documents']} documents, {stats['passages']} "
               f"passages, {stats['band_entries']} band entries, {stats['bytes'] / 1e6:.1f} MB")
        for key, value in stats["settings"].items():
            yield f"  {key}: {value}"

    _show_index(db, fmt, lambda index: index.stats(), lines)


@index_group.command(name="list")
@_db_option
@_listing_format
def index_list(db: str, fmt: str) -> None:
    """The documents in the index: id, outlet, date, sha256 (start), path.

    \b
    Example:
      provcheck index list --db corpus.db
    """

    def lines(rows: list[dict[str, Any]]) -> Iterator[str]:
        for r in rows:  # one line each: no field can hold a tab or a newline
            yield "\t".join(safe.one_line(field) for field in (
                r["id"], r["outlet"] or "-", r["published"] or "-", r["sha256"][:12],
                r["path"]))

    _show_index(db, fmt, lambda index: index.listing(), lines)


def _show_index(db: str, fmt: str, read: Callable[[Any], Any],
                lines: Callable[[Any], Iterator[str]]) -> None:
    """Print what ``read`` takes from the index: as JSON, or as ``lines``."""
    import json

    with errors():
        index = _open_index(db)
        try:
            data = read(index)
        finally:
            index.close()
        if fmt == "json":
            click.echo(json.dumps(data, indent=2))
        else:
            for line in lines(data):
                click.echo(line)


@index_group.command(name="remove")
@click.argument("ids", nargs=-1, required=True)
@_db_option
def index_remove(ids: tuple[str, ...], db: str) -> None:
    """Remove documents from the index by id.

    \b
    Example:
      provcheck index remove 001_6da7febdb4ae2164 --db corpus.db
    """
    with errors():
        index = _open_index(db, write=True)
        try:
            with index.transaction():
                missing = [i for i in ids if not index.remove(i)]
        finally:
            index.close()
        if missing:
            raise ProvcheckError(f"not in {db}: {', '.join(missing)} (see 'provcheck index "
                                 f"list --db {db}'); nothing was removed for them.")
        click.echo(f"{db}: {len(ids)} removed")


def _open_index(db: str, *, write: bool = False) -> Any:
    from provcheck.index.catalog import Index
    from provcheck.index.schema import stored_settings

    return Index.open(db, resolve({}, stored=stored_settings(db)), create=False,
                      write=write)
