"""Command line: parse options, build settings, run the pipeline, map errors to exit codes.

Exit codes: 0 done; 2 usage or input error ("Error: ..." on stderr); 3 internal error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from provcheck import __version__
from provcheck.errors import ProvcheckError
from provcheck.settings import MB, Settings

EXIT_ERROR = 2
EXIT_INTERNAL = 3


def _default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _settings_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--jobs", "-j", type=int, default=_default_jobs, show_default="cores, max 4",
                     help="Worker processes."),
        click.option("--num-perm", type=int, default=Settings.num_perm, show_default=True,
                     help="MinHash permutations."),
        click.option("--seed", type=int, default=Settings.seed, show_default=True,
                     help="MinHash seed."),
        click.option("--lsh-threshold", type=float, default=Settings.lsh_threshold,
                     show_default=True, help="Jaccard threshold of the passage LSH index."),
        click.option("--max-file-size", type=float, default=Settings.max_file_bytes / MB,
                     show_default=True, help="Skip files larger than this many MB."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _build_settings(**opts: Any) -> Settings:
    return Settings(num_perm=opts["num_perm"], seed=opts["seed"],
                    lsh_threshold=opts["lsh_threshold"], jobs=opts["jobs"],
                    max_file_bytes=int(opts["max_file_size"] * MB))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provcheck")
def main() -> None:
    """Audit news corpora for reuse: who copied, syndicated or paraphrased whose text."""


def _report_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("paths", nargs=-1, required=True),
        click.option("--format", "fmt", type=click.Choice(["terminal", "json", "csv", "html"]),
                      default="terminal", show_default=True,
                      help="Report format (csv: one row per passage; html: one page)."),
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
    ]
    for option in reversed(options):
        fn = option(fn)
    return _settings_options(fn)


def _run(paths: tuple[str, ...], fmt: str, output: str | None, meta: str | None,
         include_text: bool, pretty: bool, progress: bool | None, verbose: bool, *,
         pairs: bool, **opts: Any) -> None:
    from provcheck.pipeline import compare as run_compare

    with _errors():
        settings = _build_settings(**opts)
        with _progress_bar(progress) as tick:
            report = run_compare(list(paths), settings, meta=meta, progress=tick, pairs=pairs)
        if not report.documents:
            raise ProvcheckError(
                f"no readable documents in {', '.join(paths)} ({len(report.skipped)} skipped); "
                "provcheck reads .txt, .md, .html, .json and .jsonl files."
            )
        _emit(report, fmt, output, include_text=include_text, verbose=verbose,
              quotes_only=not pairs, pretty=pretty)


@main.command()
@_report_options
def compare(**opts: Any) -> None:
    """Find every passage the documents under PATHS share, with exact spans in both.

    PATHS are folders (read recursively) or files: .txt/.md, .html, .json/.jsonl.

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


@main.group(name="eval")
def eval_group() -> None:
    """Score provcheck on labelled evaluation corpora."""


@eval_group.command(name="pan13")
@click.argument("corpus", type=click.Path())
@click.option("--sample", type=int, default=None,
              help="Pairs per obfuscation type (default: all).")
@click.option("--sample-seed", type=int, default=13, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
@_settings_options
def eval_pan13(corpus: str, sample: int | None, sample_seed: int, fmt: str, **opts: Any) -> None:
    """PAN13 text alignment: precision, recall, granularity and plagdet per type.

    CORPUS is pan13-train.tar.gz or the folder it unpacks to.

    \b
    Example:
      provcheck eval pan13 ../shared/data/pan13-train.tar.gz --sample 100
    """
    import json

    from provcheck.eval.pan13 import evaluate, format_scores

    with _errors():
        settings = _build_settings(**opts)
        result = evaluate(corpus, settings, sample=sample, sample_seed=sample_seed)
        text = json.dumps(result, indent=2) if fmt == "json" else format_scores(result)
        click.echo(text)


@eval_group.command(name="polnear")
@click.argument("corpus", type=click.Path())
@click.option("--split", type=click.Choice(["train", "dev"]), default="dev", show_default=True)
@click.option("--limit", type=int, default=None, help="Score only the first N articles.")
@click.option("--jobs", "-j", type=int, default=_default_jobs, show_default="cores, max 4")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
def eval_polnear(corpus: str, split: str, limit: int | None, jobs: int, fmt: str) -> None:
    """PolNeAR: quotation content spans (overlap and exact) and speaker accuracy.

    CORPUS is polnear-train-dev.tar.gz or the folder it unpacks to.

    \b
    Example:
      provcheck eval polnear ../shared/data/polnear-train-dev.tar.gz --split dev
    """
    import json

    from provcheck.eval.polnear import evaluate, format_scores

    with _errors():
        result = evaluate(corpus, split, jobs=jobs, limit=limit)
        click.echo(json.dumps(result, indent=2) if fmt == "json" else format_scores(result))


def _emit(report: Any, fmt: str, output: str | None, **kw: Any) -> None:
    from rich.console import Console

    from provcheck.report import render_csv, render_html, render_json, render_terminal

    if fmt in ("json", "csv", "html"):
        if fmt == "json":
            text = render_json(report, include_text=kw["include_text"], pretty=kw["pretty"])
            text += "\n"
        elif fmt == "csv":
            text = render_csv(report)
        else:
            text = render_html(report)
        if output:
            _write(output, text)
        else:
            click.echo(text, nl=False)
        return
    if output:
        with open(os.devnull, "w") as sink:
            console = Console(file=sink, record=True, width=140, color_system=None)
            render_terminal(report, console, verbose=kw["verbose"],
                            quotes_only=kw["quotes_only"])
        _write(output, console.export_text())
    else:
        console = Console(highlight=False)
        if not console.is_terminal:
            console = Console(highlight=False, width=max(console.width, 140))
        render_terminal(report, console, verbose=kw["verbose"], quotes_only=kw["quotes_only"])


def _write(path: str, text: str) -> None:
    """Write atomically: a reader never sees half a report."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as err:
        raise ProvcheckError(f"cannot write {path}: {err.strerror or err}; "
                             "choose a writable -o location.") from err


@contextmanager
def _progress_bar(enabled: bool | None) -> Iterator[Callable[[str, int, int], None] | None]:
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bars: dict[str, Any] = {}
    with Progress("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = bar.add_task(stage, total=total)
            bar.advance(bars[stage], done)

        yield tick


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except ProvcheckError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except MemoryError:
        click.echo("Error: out of memory; run with fewer --jobs or on a smaller folder.", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as err:
        if os.environ.get("PROVCHECK_DEBUG"):
            raise
        click.echo(f"Error: internal error ({type(err).__name__}: {err}); please report it, "
                   "with the traceback from PROVCHECK_DEBUG=1.", err=True)
        sys.exit(EXIT_INTERNAL)
