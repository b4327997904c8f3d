"""A progress bar on stderr for long commands, shown only to a person watching a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

# Called as (label, done, total): one bar per label (a file path or a phase), created on its first call.
ProgressUpdate = Callable[[str, int, int], None]


@contextmanager
def progress(
    unit: Literal["bytes", "items"] = "bytes", enabled: bool = True
) -> Iterator[ProgressUpdate | None]:
    """Yield an update callback drawing rich bars on stderr, or None when stderr is not a terminal.

    ``unit`` picks the counter beside each bar: bytes read (log files) or items done (files scanned).
    Bars are transient: they vanish when the block ends, so only the report stays on screen.
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    counter = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        counter,
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = bar.add_task(Path(label).name, total=total)  # a file's name, not its whole path
        bar.update(tasks[label], completed=done)

    with bar:
        yield update
