"""Command line: each command parses its options, makes one library call, and renders
what it returns; ``clikit`` holds the options and error handling they share."""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

import click

from provcheck import __version__, safe
from provcheck.clikit import (
    Terminated,
    engine_option,
    errors,
    settings_of,
    settings_options,
)
from provcheck.eval.commands import eval_group
from provcheck.gate import DEFAULT_MIN_COVERAGE
from provcheck.index.commands import index_group
from provcheck.records import FailOn
from provcheck.report.output import (
    CI_FORMATS,
    REPORT_FORMATS,
    View,
    render,
    show,
    write,
    write_summary,
)
from provcheck.report.progress import progress_bar


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provcheck")
def main() -> None:
    """Audit news corpora for reuse: who copied, syndicated or paraphrased whose text."""


main.add_command(eval_group)


def run() -> None:
    """The ``provcheck`` command: ``main`` with the cyclic garbage collector off, then the
    process ends without tearing the interpreter down. A run over a corpus leaves
    millions of objects, and freeing them one by one at exit is time spent after the
    report is written; the report and every pool are closed by then, so nothing is
    lost. The collector would scan them all again and again (see
    ``parallel.collector_paused``), and once more just before the process exits; the
    records hold next to no reference cycles, and worker processes turn it on for
    themselves."""
    gc.disable()
    # A CI timeout, ``docker stop`` and ``kill`` send SIGTERM: the run ends as on Ctrl-C,
    # its pools stopped, its temporary files removed and an index write rolled back.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        main()
        code: int | str | None = 0
    except SystemExit as done:
        code = done.code
    if isinstance(code, str):  # what sys.exit prints for a message
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (``| head``): nothing more can reach it
        pass
    os._exit(code or 0)


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def _report_options(fn: Callable[..., Any], *, ci: bool = False) -> Callable[..., Any]:
    options = [
        click.argument("paths", nargs=-1, required=True),
        click.option("--format", "fmt",
                     type=click.Choice(REPORT_FORMATS + (CI_FORMATS if ci else [])),
                     default="terminal", show_default=True,
                     help="Report format (csv: one row per passage; html: one page"
                          + ("; junit: one test case per checked document; github: workflow "
                             "annotations)." if ci else ").")),
        click.option("--output", "-o", type=click.Path(dir_okay=False),
                     help="Write the report here."),
        click.option("--meta", type=click.Path(),
                     help="Manifest (CSV or JSONL) of outlet, date, url, title per path or id."),
        click.option("--include-text", is_flag=True, help="JSON: include each document's text."),
        click.option("--pretty", is_flag=True,
                     help="JSON: indent for reading (slower and larger on big corpora)."),
        click.option("--progress/--no-progress", default=None,
                     help="Progress bar on stderr (default: when stderr is a terminal)."),
        click.option("--verbose", "-v", is_flag=True,
                     help="Terminal: show passages and quotes in full, and every quote."),
        click.option("--all-pairs", is_flag=True,
                     help="Report aligned pairs the verdict reads as no reuse too (relation "
                          "unrelated), with their evidence."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return engine_option(settings_options(fn))


def _run(paths: tuple[str, ...], fmt: str, output: str | None, meta: str | None,
         include_text: bool, pretty: bool, progress: bool | None, verbose: bool,
         all_pairs: bool, *, pairs: bool, engine: str, db: str | None = None,
         **opts: Any) -> None:
    from provcheck.engine import open_engine
    from provcheck.pipeline import compare as run_compare

    with errors():
        settings = settings_of(opts, db)
        with open_engine(engine, settings.jobs) as runner, progress_bar(progress) as tick:
            report = run_compare(list(paths), settings, meta=meta, progress=tick, pairs=pairs,
                                 db=db, engine=runner, keep_unrelated=all_pairs)
        _emit(report, fmt, output, View(include_text=include_text, pretty=pretty,
                                        verbose=verbose, quotes_only=not pairs))


@main.command()
@_report_options
@click.option("--db", type=click.Path(dir_okay=False),
              help="An index: take the signatures of documents it holds unchanged from it.")
def compare(**opts: Any) -> None:
    """Find every passage the documents under PATHS share, with exact spans in both,
    and say what links each pair and the stories they form.

    PATHS are folders (read recursively) or files: .txt/.md, .html, .json/.jsonl.

    \b
    Relations (strongest first):
      duplicate      the same text, nearly all of both
      copy           one outlet took the other's text, word for word or lightly edited
      syndicated     both print one agency's story (AP, Reuters, ...): each took it from it
      paraphrase     one rewrote the other's text in its own words
      shared_source  both report one source (a press conference, a statement), not each other
    A story is a group of documents joined by the first four, with its origin.

    \b
    --meta FILE: CSV with a header (or JSONL), one row per document, keyed by path (as
    given, relative to the folder, or the file name) or id; columns outlet, published
    (ISO 8601), url, title. Example:
      path,outlet,published,title
      a.txt,Reuters,2021-02-18T10:46:00+00:00,Stoltenberg: NATO will leave when the time is right

    \b
    Example:
      provcheck compare seeds/
      provcheck compare articles/ --meta manifest.csv --format json -o report.json
    """
    _run(pairs=True, **opts)


@main.command()
@_report_options
def quotes(**opts: Any) -> None:
    """Who said what: the quotations under PATHS, their speakers, and which documents
    carry each statement, in which wording.

    Same inputs, options and formats as compare; the report holds no pairs.

    \b
    Example:
      provcheck quotes seeds/
      provcheck quotes articles/ --format json -o quotes.json
    """
    _run(pairs=False, **opts)


main.add_command(index_group)


@main.command()
@partial(_report_options, ci=True)
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="The index file.")
@click.option("--fail-on", type=click.Choice([f.value for f in FailOn]), default="copy",
              show_default=True, help="The weakest relation that fails the run.")
@click.option("--min-coverage", type=click.FloatRange(0, 1), default=DEFAULT_MIN_COVERAGE,
              show_default=True, help="Fail only on matches covering at least this share "
              "of a checked document (the default lets a trace, one shared sentence, pass).")
@click.option("--baseline", type=click.Path(), help="Accepted matches: one per line, two ids "
              "or sha256 values (or one: all matches of that document).")
@click.option("--accept-all", is_flag=True, help="Add every failing match to the --baseline "
              "file (created if missing) and pass: to adopt the gate on an existing corpus.")
def check(paths: tuple[str, ...], db: str, fmt: str, output: str | None, meta: str | None,
          include_text: bool, pretty: bool, progress: bool | None, verbose: bool,
          all_pairs: bool, engine: str, fail_on: str, min_coverage: float,
          baseline: str | None, accept_all: bool, **opts: Any) -> None:
    """Check new documents against an index, and against each other.

    Reports like compare; the exit code gates CI: 0 clean, 1 a match at or above the
    bar (--fail-on, --min-coverage, not in --baseline), 2 a usage or input error.

    \b
    Example:
      provcheck check incoming/ --db corpus.db
      provcheck check incoming/ --db corpus.db --fail-on paraphrase --format junit -o r.xml
      provcheck check corpus/ --db corpus.db --baseline accepted.txt --accept-all
    """
    from provcheck.engine import open_engine
    from provcheck.gate import Policy
    from provcheck.index.workflow import check as run_check

    with errors():
        settings = settings_of(opts, db)
        policy = Policy(fail_on=FailOn(fail_on), min_coverage=min_coverage, baseline=baseline,
                        accept_all=accept_all)
        with open_engine(engine, settings.jobs) as runner, progress_bar(progress) as tick:
            checked = run_check(list(paths), db, settings, policy, meta=meta, progress=tick,
                                keep_unrelated=all_pairs, engine=runner)
        if accept_all:
            click.echo(f"{baseline}: {checked.added} "
                       f"{'match' if checked.added == 1 else 'matches'} added", err=True)
        _emit(checked.report, fmt, output, View(include_text=include_text, pretty=pretty,
                                                verbose=verbose))
        if fmt == "github":
            write_summary(checked.report)
    sys.exit(0 if checked.report.gate and checked.report.gate.passed else 1)


def _emit(report: Any, fmt: str, output: str | None, view: View) -> None:
    """``report`` to ``output`` or, without one, to the terminal or standard output."""
    if output:
        text = render(report, fmt, view)
        write(output, text)
        click.echo(f"wrote {safe.name(output)}: {fmt}, {len(report.documents)} documents, "
                   f"{len(report.pairs)} related pairs ({_size(text)})", err=True)
    elif fmt == "terminal":
        show(report, view)
    else:
        click.echo(render(report, fmt, view), nl=False)


def _size(text: str | bytes) -> str:
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.1f} KB"
