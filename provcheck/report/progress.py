"""The progress display on stderr: one bar per stage, drawn from the stages' ticks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# (stage, items done in this step, total items): a total of 0 is not known yet, and
# DONE says the stage has ended.
Tick = Callable[[str, int, int], None]
DONE = -1


@contextmanager
def progress_bar(enabled: bool | None) -> Iterator[Tick | None]:
    """A ``Tick`` drawing a bar per stage on stderr, from the stage's first second
    (``enabled`` None: when stderr is a terminal)."""
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
            if stage not in bars:  # a stage shows from its start, its total when known
                bars[stage] = bar.add_task(stage, total=total if total > 0 else None)
            task = bars[stage]
            if total == DONE:
                finished = max(1, int(bar.tasks[task].completed))
                bar.update(task, total=finished, completed=finished)
                return
            if total > 0:
                bar.update(task, total=total)
            bar.advance(task, done)

        yield tick
