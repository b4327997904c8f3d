"""A background thread that watches a statement while it runs on another connection."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod


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
