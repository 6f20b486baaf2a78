"""Reports as files and streams: each format's renderer in one table, and files written
whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from provcheck import safe
from provcheck.errors import ProvcheckError
from provcheck.records import Report
from provcheck.report.ci import render_github, render_github_summary, render_junit
from provcheck.report.csv_report import render_csv
from provcheck.report.html_report import render_html
from provcheck.report.json_report import json_bytes
from provcheck.report.terminal import render_terminal

TERMINAL_WIDTH = 140  # of a report written to a file or a pipe
SUMMARY_FILE = "GITHUB_STEP_SUMMARY"  # the variable naming GitHub's job summary file


@dataclass(frozen=True, slots=True, kw_only=True)
class View:
    """How a report is shown (the options of ``compare``, ``quotes`` and ``check``)."""

    include_text: bool = False  # JSON: each document's text
    pretty: bool = False  # JSON: indented
    verbose: bool = False  # terminal: passages and quotes in full
    quotes_only: bool = False  # terminal: the statements, no pairs (``quotes``)


def _terminal_text(report: Report, view: View) -> str:
    with open(os.devnull, "w") as sink:
        console = Console(file=sink, record=True, width=TERMINAL_WIDTH, color_system=None)
        render_terminal(report, console, verbose=view.verbose, quotes_only=view.quotes_only)
    return console.export_text()


FORMATS: dict[str, Callable[[Report, View], str | bytes]] = {
    "terminal": _terminal_text,
    "json": lambda r, v: json_bytes(r, include_text=v.include_text, pretty=v.pretty),
    "csv": lambda r, v: render_csv(r),
    "html": lambda r, v: render_html(r),
    "junit": lambda r, v: render_junit(r),  # needs the gate of a check
    # With a job summary to write (``write_summary``), the annotations point to it.
    "github": lambda r, v: render_github(r, summary=bool(os.environ.get(SUMMARY_FILE))),
}
REPORT_FORMATS = ["terminal", "json", "csv", "html"]
CI_FORMATS = ["junit", "github"]


def render(report: Report, fmt: str, view: View) -> str | bytes:
    """``report`` in format ``fmt`` (a key of ``FORMATS``)."""
    return FORMATS[fmt](report, view)


def show(report: Report, view: View) -> None:
    """``report`` on the terminal: in colour on a terminal, else as wide as a report file."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=max(console.width, TERMINAL_WIDTH))
    render_terminal(report, console, verbose=view.verbose, quotes_only=view.quotes_only)


def write(path: str, text: str | bytes) -> None:
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
        raise  # the reader of -o /dev/stdout went away: the caller ends quietly
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


def write_summary(report: Report) -> str | None:
    """Add the check's table of matches to GitHub's job summary, when the job has one
    (``$GITHUB_STEP_SUMMARY``); the file it wrote to, if any."""
    path = os.environ.get(SUMMARY_FILE)
    if not path:
        return None
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(render_github_summary(report))
    except OSError as err:
        raise ProvcheckError(f"cannot write the job summary {safe.name(path)} "
                             f"(${SUMMARY_FILE}): {err.strerror or err}.") from err
    return path
