"""What every command of the command line shares: its options, the settings they make,
and the mapping of errors to one line and an exit code.

Exit codes: 0 done; 1 a check failed its gate; 2 usage or input error ("Error: ..." on
stderr); 3 internal error; 130 interrupted (Ctrl-C); 141 the reader of the output went
away; 143 terminated (SIGTERM).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from provcheck import safe
from provcheck.errors import ProvcheckError
from provcheck.settings import MB, Settings, resolve

EXIT_ERROR = 2
EXIT_INTERNAL = 3
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool cut off by `head`
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (exit 143, as a shell reports it)."""


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def jobs_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--jobs", "-j", type=int, default=default_jobs,
                        show_default="cores, max 4", help="Worker processes.")(fn)


def settings_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
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
    return jobs_option(fn)


def engine_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--engine", default="local", show_default=True, metavar="local|dask://local|dask://HOST:PORT",
        help="Where the batch stages run: this machine (--jobs processes), a local Dask "
             "cluster of --jobs workers, or the Dask scheduler at HOST:PORT. The report is "
             "the same.")(fn)


def settings_of(options: dict[str, Any], db: str | None = None) -> Settings:
    """The run's settings from the command's ``options``; with an existing index, its
    signature settings unless an option was given (``settings.resolve``)."""
    from provcheck.index.schema import stored_settings

    context = click.get_current_context()
    given = {k for k in options
             if context.get_parameter_source(k) is not click.core.ParameterSource.DEFAULT}
    return resolve(options, given=given, stored=stored_settings(db) if db else None)


@contextmanager
def errors() -> Iterator[None]:
    """Each error as one line on stderr and its exit code (see the module docstring)."""
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
