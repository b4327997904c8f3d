"""A background thread that watches a statement while it runs on another connection."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

from dbexpert.model.migration import Lock, StatementTrace
from dbexpert.sql.parse import Statement


class StatementWatcher(ABC):
    """Subclasses implement ``_loop``, which runs until ``_stop`` is set; ``_running`` is cleared
    the moment the watched statement returns, so an observation can tell whether it came in time."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._running.set()
        self._thread.start()

    def stop(self) -> None:
        self._running.clear()
        self._stop.set()
        self._thread.join()

    @abstractmethod
    def _loop(self) -> None:
        """Observe until ``self._stop`` is set."""


def observed(
    statement: Statement,
    *,
    ms: float,
    locks: tuple[Lock, ...],
    rewritten: tuple[str, ...],
    blocks_reads: bool,
    blocks_writes: bool,
    how: str,
    notes: Sequence[str],
) -> StatementTrace:
    """The trace of ``statement``, located at its line, its text folded to one short line."""
    return StatementTrace(
        path=statement.path,
        line=statement.line,
        sql=" ".join(statement.text.split())[:200],
        ms=ms,
        locks=locks,
        rewritten=rewritten,
        blocks_reads=blocks_reads,
        blocks_writes=blocks_writes,
        how=how,
        probes=tuple(notes),
    )
