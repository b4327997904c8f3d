"""Workload sources, streamed: server logs, pg_stat_statements exports and application traces.

Each reader module in :data:`READERS` offers ``sniff(head: str) -> bool`` (does a file starting
with ``head`` look like this format?) and ``read(lines: Iterable[str], path: str, options:
ReadOptions) -> Iterator[Event]``, yielding :class:`QueryEvent` and :class:`LogEvent` values as it
goes, and a :class:`ReadProblem` for every line it does not understand (counted and reported, never
silently dropped). Files may be gzip-compressed; text is decoded as UTF-8 with replacement, so
binary garbage becomes problems rather than crashes.
"""

from __future__ import annotations

import gzip
import importlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from dbexpert.model import InputError
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem

Event = QueryEvent | LogEvent | ReadProblem

# Format name -> reader module under dbexpert.sources.logs, in the order formats are sniffed.
READERS: dict[str, str] = {
    "postgres-jsonlog": "postgres_json",
    "postgres-csvlog": "postgres_csv",
    "pg-stat-statements": "pg_stat_statements",
    "otel": "otel",
    "trace-jsonl": "traces",
    "mysql-slow": "mysql_slow",
    "postgres-stderr": "postgres_stderr",
}
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ReadOptions:
    log_line_prefix: str | None = None  # PostgreSQL stderr logs: the server's log_line_prefix
    format: str | None = None  # force a format instead of sniffing


def open_text(path: Path) -> TextIO:
    """The file as text, gunzipped when it is gzip, undecodable bytes replaced."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    magic = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")


def detect_format(path: Path) -> str:
    """The format name of a workload file, sniffed from its beginning."""
    with open_text(path) as text:
        try:
            head = text.read(_HEAD_BYTES)
        except (OSError, EOFError) as exc:  # a truncated gzip stream
            raise InputError(f"{path}: cannot read: {exc}") from None
    for name, module in READERS.items():
        if importlib.import_module(f"dbexpert.sources.logs.{module}").sniff(head):
            return name
    raise InputError(
        f"{path}:1:1: not a workload file dbexpert reads (PostgreSQL stderr/csvlog/jsonlog, MySQL slow log, "
        f"pg_stat_statements CSV/JSON, trace JSON lines, OpenTelemetry spans); use --format to say which"
    )


def read_events(path: Path, options: ReadOptions | None = None) -> Iterator[Event]:
    """Stream the events of one workload file."""
    options = options or ReadOptions()
    name = options.format or detect_format(path)
    if name not in READERS:
        raise InputError(f"unknown workload format {name!r} (choose from {', '.join(READERS)})")
    reader = importlib.import_module(f"dbexpert.sources.logs.{READERS[name]}")
    with open_text(path) as text:
        yield from reader.read(text, str(path), options)
