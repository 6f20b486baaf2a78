"""Command line: parse options, build settings, run the pipeline, map errors to exit codes.

Exit codes: 0 done; 2 usage or input error ("Error: ..." on stderr); 3 internal error.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from provcheck import __version__, safe
from provcheck.errors import ProvcheckError
from provcheck.settings import MB, Settings

if TYPE_CHECKING:
    from provcheck.records import Skipped

EXIT_ERROR = 2
EXIT_INTERNAL = 3
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool cut off by `head`
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


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


def _engine_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--engine", default="local", show_default=True, metavar="local|dask://local|dask://HOST:PORT",
        help="Where the batch stages run: this machine (--jobs processes), a local Dask "
             "cluster of --jobs workers, or the Dask scheduler at HOST:PORT. The report is "
             "the same.")(fn)


def _build_settings(db: str | None = None, **opts: Any) -> Settings:
    """Settings from the options; with an existing index, its signature settings unless
    an option was given on the command line (then the index checks that they match)."""
    values = {"num_perm": opts["num_perm"], "seed": opts["seed"],
              "lsh_threshold": opts["lsh_threshold"]}
    if db is not None:
        from provcheck.store import Index

        stored = Index.stored_settings(db)
        context = click.get_current_context()
        for name in values:
            if name in stored and context.get_parameter_source(name) is \
                    click.core.ParameterSource.DEFAULT:
                values[name] = stored[name]
    return Settings(**values, jobs=opts["jobs"], max_file_bytes=int(opts["max_file_size"] * MB))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provcheck")
def main() -> None:
    """Audit news corpora for reuse: who copied, syndicated or paraphrased whose text."""


def run() -> None:
    """The ``provcheck`` command: ``main`` with the cyclic garbage collector off, then the
    process ends without tearing the interpreter down. A run over a corpus leaves
    millions of objects, and freeing them one by one at exit took a third of a second
    after the report was written (PAN13); the report and every pool are closed by then,
    so nothing is lost. The collector would scan them all again and again (see
    ``parallel.collector_paused``), and turned back on when a run ends it scans them
    once more (0.2 s) just before the process exits; the records hold no reference
    cycles (an index add of 10,000 articles left 936 cyclic objects behind), and worker
    processes turn it on for themselves."""
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (exit 143, as a shell reports it)."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


REPORT_FORMATS = ["terminal", "json", "csv", "html"]
CI_FORMATS = ["junit", "github"]


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
    return _engine_option(_settings_options(fn))


def _run(paths: tuple[str, ...], fmt: str, output: str | None, meta: str | None,
         include_text: bool, pretty: bool, progress: bool | None, verbose: bool,
         all_pairs: bool, *, pairs: bool, engine: str, db: str | None = None,
         **opts: Any) -> None:
    from provcheck.engine import open_engine
    from provcheck.pipeline import compare as run_compare

    with _errors():
        settings = _build_settings(db, **opts)
        with open_engine(engine, settings.jobs) as runner, _progress_bar(progress) as tick:
            report = run_compare(list(paths), settings, meta=meta, progress=tick, pairs=pairs,
                                 db=db, engine=runner, keep_unrelated=all_pairs)
        if not report.documents:
            raise _nothing_readable(paths, report.skipped)
        _emit(report, fmt, output, include_text=include_text, verbose=verbose,
              quotes_only=not pairs, pretty=pretty)


@main.command()
@_report_options
@click.option("--db", type=click.Path(dir_okay=False),
              help="An index: take the signatures of documents it holds unchanged from it.")
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


@main.group(name="index")
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
@_settings_options
@_engine_option
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
    from provcheck.indexing import index_add as run_add

    with _errors():
        settings = _build_settings(db, **opts)
        with open_engine(engine, settings.jobs) as runner, _progress_bar(progress) as tick:
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

    with _errors():
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
    with _errors():
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
    from provcheck.settings import Settings as _Settings
    from provcheck.store import Index

    stored = Index.stored_settings(db)
    settings = _Settings(**{k: stored[k] for k in ("num_perm", "seed", "lsh_threshold")
                            if k in stored})
    return Index.open(db, settings, create=False, write=write)


@main.command()
@partial(_report_options, ci=True)
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="The index file.")
@click.option("--fail-on", type=click.Choice(["duplicate", "copy", "syndicated", "paraphrase",
                                              "shared_source"]), default="copy",
              show_default=True, help="The weakest relation that fails the run.")
@click.option("--min-coverage", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Fail only on matches covering at least this share of a checked document.")
@click.option("--baseline", type=click.Path(), help="Accepted matches: one per line, two ids "
              "or sha256 values (or one: all matches of that document).")
@click.option("--accept-all", is_flag=True, help="Add every failing match to the --baseline "
              "file (created if missing) and pass: to adopt the gate on an existing corpus.")
def check(db: str, fail_on: str, min_coverage: float, baseline: str | None, accept_all: bool,
          **opts: Any) -> None:
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
    from provcheck.gate import accept, gate, load_baseline
    from provcheck.indexing import check as run_check

    paths, fmt, output = opts.pop("paths"), opts.pop("fmt"), opts.pop("output")
    meta, progress, verbose = opts.pop("meta"), opts.pop("progress"), opts.pop("verbose")
    include_text, pretty = opts.pop("include_text"), opts.pop("pretty")
    all_pairs = opts.pop("all_pairs")
    engine = opts.pop("engine")
    with _errors():
        settings = _build_settings(db, **opts)
        if accept_all and not baseline:
            raise ProvcheckError("--accept-all needs --baseline FILE: the file to add the "
                                 "accepted matches to.")
        if baseline and (Path(baseline).exists() or not accept_all):
            load_baseline(baseline)  # a bad baseline stops the run before the work
        with open_engine(engine, settings.jobs) as runner, _progress_bar(progress) as tick:
            checked = run_check(list(paths), db, settings, meta=meta, progress=tick,
                                keep_unrelated=all_pairs,
                                engine=runner)
        if not checked.new:
            raise _nothing_readable(paths, checked.report.skipped)
        if accept_all and baseline:
            added = accept(gate(checked.report.pairs, checked.report.documents, checked.new,
                                fail_on, min_coverage, None), baseline)
            click.echo(f"{baseline}: {added} {'match' if added == 1 else 'matches'} added",
                       err=True)
        report = replace(checked.report, gate=gate(
            checked.report.pairs, checked.report.documents, checked.new, fail_on,
            min_coverage, baseline))
        _emit(report, fmt, output, include_text=include_text, verbose=verbose,
              quotes_only=False, pretty=pretty)
    sys.exit(0 if report.gate and report.gate.passed else 1)


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


@eval_group.command(name="meter")
@click.argument("corpus", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
@_settings_options
def eval_meter(corpus: str, fmt: str, **opts: Any) -> None:
    """METER: press-agency copy vs the newspaper stories derived from it or not.

    Binary macro-F1 of the verdicts (derived: a copy, duplicate, paraphrase or
    syndicated pair with a PA text of the story), AUC of coverage for derived vs non and
    wholly vs partially, beside word-trigram containment in the same run. CORPUS is
    meter-dev.tar.gz or a folder of the same layout.

    \b
    Example:
      provcheck eval meter ../shared/data/meter-dev.tar.gz
    """
    import json

    from provcheck.eval.meter import evaluate, format_scores

    with _errors():
        result = evaluate(corpus, _build_settings(**opts))
        click.echo(json.dumps(result, indent=2) if fmt == "json" else format_scores(result))


@eval_group.command(name="wire")
@click.argument("corpus", type=click.Path())
@click.option("--meta", type=click.Path(),
              help="The manifest (path, outlet, published) of a folder of articles.")
@click.option("--labels", help="Judged pairs to score against: a CSV (a,b,relation,origin,"
              "source,reason) or a bundled set's name, news-wire-dev.")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
@_settings_options
def eval_wire(corpus: str, meta: str | None, labels: str | None, fmt: str,
              **opts: Any) -> None:
    """Multi-outlet news pages: verdicts against the 7-grams and wire credits the texts
    share.

    Related pairs vs pairs sharing 20 % of a side; the share of reuse verdicts on pairs
    sharing under 5 % of either side; how pairs printing one wire's credit and sharing
    most of their text are told; with --labels, the verdicts against judged pairs.
    CORPUS is news-wire-dev.tar.gz, a folder holding articles/ and meta.csv, or a folder
    of articles with --meta.

    \b
    Example:
      provcheck eval wire ../shared/data/news-wire-dev.tar.gz --labels news-wire-dev
      provcheck eval wire pages/ --meta pages.csv
    """
    import json

    from provcheck.eval.wire import evaluate, format_scores

    with _errors():
        result = evaluate(corpus, meta, _build_settings(**opts), labels)
        click.echo(json.dumps(result, indent=2) if fmt == "json" else format_scores(result))


@eval_group.command(name="fit")
@click.option("--data", type=click.Path(file_okay=False), default="../shared/data",
              show_default=True, help="The folder of the labelled corpora (tarballs).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the fitted model here (provcheck/data/verdict-model.json to ship "
                   "it).")
@click.option("--version", "version", default=None,
              help="The new model's version (default: today's date).")
@click.option("--mutated", type=int, default=400, show_default=True,
              help="Real articles reused by each kind of mutation in turn.")
@click.option("--jobs", "-j", type=int, default=_default_jobs, show_default="cores, max 4")
def eval_fit(data: str, output: str | None, version: str | None, mutated: int,
             jobs: int) -> None:
    """Fit the verdict model on the labelled data; print its weights and
    cross-validated scores.

    METER dev, PAN13 train, the judged news-wire dev pairs and real PolNeAR articles
    reused by realistic mutations; each data set weighs the same.

    \b
    Example:
      provcheck eval fit --data ../shared/data -o provcheck/data/verdict-model.json
    """
    import datetime
    import json

    from provcheck.eval import examples as labelled
    from provcheck.eval import fit

    with _errors():
        examples = labelled.collect(Path(data), Settings(jobs=jobs), mutated=mutated,
                                    progress=lambda line: click.echo(line, err=True))
        models = fit.fit_all(examples)
        scores = fit.cross_validate(examples)
        click.echo(fit.format_model(models))
        click.echo(fit.format_scores(scores))
        if output:
            stamp = version or datetime.date.today().isoformat()
            _write(output, json.dumps(fit.model_file(models, scores, fit.counts_of(examples),
                                                     stamp), indent=1) + "\n")
            click.echo(f"wrote {output} (version {stamp})", err=True)


def _emit(report: Any, fmt: str, output: str | None, **kw: Any) -> None:
    from rich.console import Console

    from provcheck.report import json_bytes, render_csv, render_html, render_terminal
    from provcheck.report.ci import render_github, render_junit

    if fmt != "terminal":
        text: str | bytes
        if fmt == "json":
            text = json_bytes(report, include_text=kw["include_text"], pretty=kw["pretty"])
        elif fmt == "csv":
            text = render_csv(report)
        elif fmt == "html":
            text = render_html(report)
        elif fmt == "junit":
            text = render_junit(report)
        else:
            text = render_github(report)
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


SKIPS_LISTED = 10


def _nothing_readable(paths: Sequence[str], skipped: Sequence[Skipped]) -> ProvcheckError:
    """The error for a run that read no document: each file skipped, with its reason."""
    where = ", ".join(safe.name(p) for p in paths)
    if not skipped:
        return ProvcheckError(f"no documents in {where}: provcheck reads .txt, .md, .html, "
                              ".json and .jsonl files.")
    lines = [f"  {s.path}: {s.reason}" for s in skipped[:SKIPS_LISTED]]
    if len(skipped) > SKIPS_LISTED:
        lines.append(f"  ... and {len(skipped) - SKIPS_LISTED} more")
    return ProvcheckError(f"no readable documents in {where} ({len(skipped)} skipped):\n"
                          + "\n".join(lines))


def _write(path: str, text: str | bytes) -> None:
    """Write atomically: a reader never sees half a report, and a write that fails (a
    full disk) leaves neither half a report nor its temporary file. The file gets the
    mode a shell's ``>`` would give it: an existing file's, else the umask's. What is
    not a regular file (``/dev/stdout``, a named pipe) is written to, not replaced."""
    target = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    tmp: str | None = None
    try:
        if target.exists() and not target.is_file():  # /dev/stdout, a pipe: never replaced
            with target.open("wb") as stream:
                stream.write(data)
            return
        mode = target.stat().st_mode & 0o7777 if target.is_file() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
        os.replace(tmp, target)
        tmp = None
    except BrokenPipeError:
        raise  # the reader of -o /dev/stdout went away: ends quietly (``_errors``)
    except OSError as err:
        raise ProvcheckError(f"cannot write {safe.name(path)}: {err.strerror or err}; "
                             "choose a writable -o location.") from err
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask


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
        click.echo(f"Error: {safe.printable(str(err))}", err=True)
        sys.exit(EXIT_ERROR)
    except Terminated:
        click.echo("Terminated.", err=True)
        sys.exit(EXIT_TERMINATED)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader of the output went away (`provcheck … | head`): stop quietly, as
        # Unix tools do, and keep Python from complaining when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_PIPE)
    except MemoryError:
        click.echo("Error: out of memory; run with fewer --jobs or on a smaller folder.", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as err:
        if os.environ.get("PROVCHECK_DEBUG"):
            raise
        click.echo(f"Error: internal error ({type(err).__name__}: {err}); please report it, "
                   "with the traceback from PROVCHECK_DEBUG=1.", err=True)
        sys.exit(EXIT_INTERNAL)
