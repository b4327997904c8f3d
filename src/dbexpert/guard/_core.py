"""Recording statements per block, grouping them by shape, and judging the repeats."""

from __future__ import annotations

import contextlib
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any, Literal

from dbexpert.model import Engine
from dbexpert.sql.fingerprint import fingerprint

# Frames of these packages are the ORM and the driver, not the application's call site.
_LIBRARY_PREFIXES = (
    "sqlalchemy", "django", "dbexpert.guard", "psycopg", "psycopg2", "sqlite3", "pymysql", "MySQLdb",
    "asyncpg", "aiosqlite", "greenlet", "contextlib", "asyncio", "_pytest", "pluggy", "threading",
)  # fmt: skip


class NPlusOneWarning(UserWarning):
    """One query shape ran once per item: an N+1."""


class DuplicateQueryWarning(UserWarning):
    """The very same statement with the same parameters ran again: cache it or hoist it."""


class NPlusOneError(AssertionError):
    """Raised in ``mode="raise"``: the block ran an N+1."""

    def __init__(self, repeats: list[Repeat]) -> None:
        self.repeats = repeats
        super().__init__("\n".join(r.message() for r in repeats))


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    parameters: str  # repr of the parameters: equal reprs mean an identical query
    call_site: str


@dataclass(frozen=True, slots=True)
class Repeat:
    kind: Literal["n+1", "duplicate"]
    shape: str  # the statement with literals and parameters as ?
    count: int  # statements of that shape (n+1) or identical repeats (duplicate)
    call_site: str  # "path:line in function", the application line that issued most of them
    statement: str  # one statement as sent

    def message(self) -> str:
        if self.kind == "duplicate":
            return (
                f"duplicate query: the same statement with the same parameters ran {self.count} times "
                f"at {self.call_site}: {self.shape}"
            )
        return (
            f"N+1 query: {self.count} statements of one shape at {self.call_site} "
            f"(load them in one query: eager loading or IN (...)): {self.shape}"
        )


def call_site(frame: FrameType | None) -> str:
    """The first frame outside the ORM, the driver and this guard: where the application asked."""
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not module.startswith(_LIBRARY_PREFIXES):
            code, name = frame.f_code, frame.f_code.co_name
            if name.startswith("<") and frame.f_back is not None and name != "<module>":
                name = f"{frame.f_back.f_code.co_name} ({name})"  # a comprehension: name its function
            return f"{code.co_filename}:{frame.f_lineno} in {name}"
        frame = frame.f_back
    return "<unknown>"


@dataclass
class Recorder:
    """Statements seen by one guarded block."""

    engine: Engine = Engine.POSTGRES
    statements: list[Statement] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, sql: str, parameters: Any) -> None:
        site = call_site(sys._getframe(1))
        with self._lock:
            self.statements.append(Statement(sql, repr(parameters), site))

    def repeats(self, threshold: int) -> list[Repeat]:
        groups: dict[str, list[Statement]] = {}
        shapes: dict[str, str] = {}
        for statement in self.statements:
            shape = fingerprint(statement.sql, self.engine)
            groups.setdefault(shape.id, []).append(statement)
            shapes[shape.id] = shape.text
        found: list[Repeat] = []
        for shape_id, group in groups.items():
            identical = Counter((s.sql, s.parameters) for s in group)
            distinct = len(identical)
            site = Counter(s.call_site for s in group).most_common(1)[0][0]
            if distinct >= threshold:
                found.append(Repeat("n+1", shapes[shape_id], distinct, site, group[0].sql))
            (sql, _), repeated = identical.most_common(1)[0]
            if repeated >= threshold:
                found.append(Repeat("duplicate", shapes[shape_id], repeated, site, sql))
        return found


class nplusone(contextlib.ContextDecorator):  # noqa: N801 - reads as a function at the call site
    """Guard a block (``with nplusone():``) or a function (``@nplusone()``) against N+1 queries.

    ``on`` picks what to watch: a SQLAlchemy ``Engine``, ``Connection`` or ``Session``, a Django
    connection, or a list of them; by default every SQLAlchemy engine and every Django connection
    of the current thread, for whichever of the two the application has imported.
    """

    def __init__(
        self,
        threshold: int = 5,
        mode: Literal["warn", "raise"] = "warn",
        *,
        on: Any = None,
        engine: Engine = Engine.POSTGRES,
    ) -> None:
        if mode not in ("warn", "raise"):
            raise ValueError(f"mode must be 'warn' or 'raise', not {mode!r}")
        if threshold < 2:
            raise ValueError("threshold must be at least 2")
        self.threshold = threshold
        self.mode = mode
        self.on = on
        self.engine = engine
        self.recorder = Recorder(engine)
        self.repeats: list[Repeat] = []
        self._stack: contextlib.ExitStack | None = None

    @property
    def count(self) -> int:
        """Statements recorded so far in this block."""
        return len(self.recorder.statements)

    def _recreate_cm(self) -> nplusone:
        # a decorated function gets a fresh guard (and recorder) per call
        return nplusone(self.threshold, self.mode, on=self.on, engine=self.engine)

    def __enter__(self) -> nplusone:
        from dbexpert.guard import _attach

        self.recorder = Recorder(self.engine)
        self.repeats = []
        self._stack = contextlib.ExitStack()
        _attach.attach(self._stack, self.on, self.recorder.record)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None
        self.repeats = self.recorder.repeats(self.threshold)
        if exc_type is not None:
            return  # never hide the block's own error
        report(self.repeats, self.mode)


def report(repeats: list[Repeat], mode: str, warn: Callable[..., None] = warnings.warn) -> None:
    n_plus_one = [r for r in repeats if r.kind == "n+1"]
    for repeat in repeats:
        if repeat.kind == "duplicate":
            warn(repeat.message(), DuplicateQueryWarning, stacklevel=3)
    if n_plus_one and mode == "raise":
        raise NPlusOneError(n_plus_one)
    for repeat in n_plus_one:
        warn(repeat.message(), NPlusOneWarning, stacklevel=3)
