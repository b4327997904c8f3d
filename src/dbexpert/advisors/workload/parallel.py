"""One log file read into a :class:`WorkloadAggregate`, from any byte offset, in one or N processes.

``-j N`` splits an uncompressed PostgreSQL log (stderr, csvlog, jsonlog) into N byte ranges whose
boundaries are moved forward to the start of a message (never inside a multi-line statement, nor
between a message and its DETAIL/STATEMENT lines), counts each range's lines (so every event keeps
its true line number), reads the ranges in worker processes and merges their aggregates in file
order — the same groups, calls, times and examples as one pass. What one pass links across a
boundary is the one thing lost: a ``log_statement`` line whose ``log_duration`` line falls in the
next range is counted without its duration. Given a :class:`~.stitch.Grouping`, the request rules
run too, each range grouping its own statements and the parent joining them (``stitch.py``): the
same findings as one pass.

Reading from an offset serves the incremental mode (``incremental.py``): appended data is read
once, its line numbers continuing the earlier ones.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from dbexpert.advisors.workload.aggregate import WorkloadAggregate
from dbexpert.advisors.workload.nplusone import GroupingState
from dbexpert.advisors.workload.stitch import Check, Grouping, PartGrouping, group_events, group_items, join
from dbexpert.model import Engine
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem
from dbexpert.sources.logs import READERS, ReadOptions, open_text
from dbexpert.sources.logs._pg_events import Item, events
from dbexpert.sources.logs._pg_prefix import compile_prefix, guess_prefix
from dbexpert.sources.logs.postgres_csv import sniff as csv_record_start

# Formats whose reader offers ``read_lines(lines, path, ..., first_line)``.
SPLITTABLE = ("postgres-stderr", "postgres-csvlog", "postgres-jsonlog")
_BLOCK = 1 << 20  # small: a block, its text and its lines are in memory at once
_MIN_CHUNK = 4 << 20  # smaller ranges are not worth a process
_BOUNDARY_SEARCH = 4 << 20  # how far a boundary may move to reach the start of a message

Event = QueryEvent | LogEvent | ReadProblem
Progress = Callable[[str, int, int], None]  # (path, bytes read, bytes to read)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    first_line: int = 1


def is_gzip(path: Path) -> bool:
    with path.open("rb") as raw:
        return raw.read(2) == b"\x1f\x8b"


def resolved_options(path: Path, fmt: str, options: ReadOptions) -> ReadOptions:
    """``options`` with the stderr log_line_prefix decided once (given, or guessed from the head)."""
    if fmt != "postgres-stderr" or options.log_line_prefix is not None:
        return replace(options, format=fmt)
    with open_text(path) as text:
        head = [line.rstrip("\r\n") for _, line in zip(range(200), text, strict=False)]
    return replace(options, format=fmt, log_line_prefix=guess_prefix(head).spec)


def read_aggregate(
    path: Path,
    fmt: str,
    options: ReadOptions,
    jobs: int = 1,
    start: int = 0,
    first_line: int = 1,
    min_chunk: int = _MIN_CHUNK,
    end: int | None = None,
    progress: Progress | None = None,
    grouping: Grouping | None = None,
) -> tuple[WorkloadAggregate, int]:
    """The aggregate of ``path`` from byte ``start`` (line ``first_line``) to ``end`` (its end), and
    the number of lines read. Offsets and processes need an uncompressed file in a splittable format.
    With ``grouping``, the request rules run too, going on from ``grouping.carried``: their
    findings and the units left open at ``end`` are put into it."""
    if fmt not in SPLITTABLE or is_gzip(path):
        if start:
            raise ValueError("reading from an offset needs an uncompressed PostgreSQL log")
        aggregate, lines, part = _whole(path, fmt, options, grouping.check if grouping else None)
        _collect(grouping, part)
        return aggregate, lines
    options = resolved_options(path, fmt, options)
    size = path.stat().st_size if end is None else end
    ranges = _ranges(path, fmt, options, start, size, jobs, min_chunk)
    check = grouping.check if grouping is not None else None
    carried = grouping.carried if grouping is not None else None
    if len(ranges) == 1:
        aggregate, lines, part = _read_span(path, options, Span(start, size, first_line), progress, check, carried)
        _collect(grouping, part)
        return aggregate, lines
    with ProcessPoolExecutor(max_workers=min(jobs, len(ranges))) as pool:
        counts = list(
            pool.map(_count_lines, [str(path)] * len(ranges), [r[0] for r in ranges], [r[1] for r in ranges])
        )
        spans, line = [], first_line
        for (begin, end), count in zip(ranges, counts, strict=True):
            spans.append(Span(begin, end, line))
            line += count
        n = len(spans)
        parts = list(
            pool.map(
                _read_span,
                [path] * n,
                [options] * n,
                spans,
                [None] * n,
                [check] * n,
                [carried] + [None] * (n - 1),  # the first range goes on from the last run, the others from nothing
                [False] + [True] * (n - 1),
            )
        )
    aggregate, lines, first = parts[0]
    for later_aggregate, count, _ in parts[1:]:
        aggregate.merge(later_aggregate)
        lines += count
    if grouping is not None:
        _collect(grouping, first)
        for span, (_, _, later) in zip(spans[1:], parts[1:], strict=True):
            assert later is not None
            items = span_items(_texts(path, span.start, span.end), str(path), options, span.first_line)
            found, grouping.open, reread = join(grouping.open, later, iter(items), _engine(options), grouping.check)
            grouping.findings.extend(found)
            grouping.reread_items += reread
    if progress is not None:
        progress(str(path), size, size)
    return aggregate, lines


def _collect(grouping: Grouping | None, part: PartGrouping | None) -> None:
    """Put an exact part's findings and open units into ``grouping``."""
    if grouping is None or part is None:
        return
    grouping.findings.extend(f for found in part.findings for f in found)
    grouping.open = part.open


def _engine(options: ReadOptions) -> Engine:
    module = importlib.import_module(f"dbexpert.sources.logs.{READERS[options.format or '']}")
    engine: Engine = module.ENGINE
    return engine


def _whole(
    path: Path, fmt: str, options: ReadOptions, check: Check | None = None
) -> tuple[WorkloadAggregate, int, PartGrouping | None]:
    reader = importlib.import_module(f"dbexpert.sources.logs.{READERS[fmt]}")
    counted = _Counted()
    aggregate = WorkloadAggregate()
    part = None
    with open_text(path) as text, few_collections():
        if hasattr(reader, "read_items"):  # queries as plain rows
            items = reader.read_items(counted.wrap(text), str(path), options)
            if check is None:
                aggregate.add_items(items, reader.ENGINE)
            else:
                part = group_items(items, aggregate, reader.ENGINE, check)
        else:
            events = reader.read(counted.wrap(text), str(path), options)
            if check is None:
                aggregate.add_all(events)
            else:
                part = group_events(events, aggregate, check)
    return aggregate, counted.lines, part


class _Counted:
    def __init__(self) -> None:
        self.lines = 0

    def wrap(self, lines: Iterable[str]) -> Iterator[str]:
        for line in lines:
            self.lines += 1
            yield line

    def texts(self, texts: Iterable[str]) -> Iterator[str]:
        """``texts`` (blocks of whole lines, the last perhaps without its newline), counting lines."""
        for text in texts:
            self.lines += text.count("\n") + (not text.endswith("\n"))
            yield text


def _read_span(
    path: Path,
    options: ReadOptions,
    span: Span,
    progress: Progress | None = None,
    check: Check | None = None,
    carried: GroupingState | None = None,
    checkpoints: bool = False,
) -> tuple[WorkloadAggregate, int, PartGrouping | None]:
    counted = _Counted()
    texts = counted.texts(_texts(path, span.start, span.end, progress))
    items = span_items(texts, str(path), options, span.first_line)
    aggregate = WorkloadAggregate()
    with few_collections():
        if check is None:
            aggregate.add_items(items, _engine(options))
            return aggregate, counted.lines, None
        part = group_items(items, aggregate, _engine(options), check, carried, checkpoints)
    return aggregate, counted.lines, part


@contextmanager
def few_collections() -> Iterator[None]:
    """Fewer garbage collections while a log streams through: its millions of short-lived tuples
    make no reference cycles, yet they trigger collections that would walk every long-lived object
    (the parsers' and rules' modules, the groups) again and again — a tenth of the reading time.
    Those objects are set aside (``gc.freeze``) and the young generation collected less often."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 10_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def span_events(texts: Iterable[str], path: str, options: ReadOptions, first_line: int) -> Iterator[Event]:
    """The events of text read from the middle of a PostgreSQL log, in blocks of whole lines
    (``options.format`` says which log)."""
    return events(span_items(texts, path, options, first_line))


def span_items(texts: Iterable[str], path: str, options: ReadOptions, first_line: int) -> Iterator[Item]:
    """As :func:`span_events`, queries as :data:`~dbexpert.model.query_row.QueryRow` tuples."""
    module = importlib.import_module(f"dbexpert.sources.logs.{READERS[options.format or '']}")
    if options.format == "postgres-stderr":  # read a block at a time, as a whole file is
        prefix = compile_prefix(options.log_line_prefix or "")
        return module.text_items(texts, path, prefix, first_line)
    return module.line_items(_split(texts), path, first_line)


def _texts(path: Path, start: int, end: int, progress: Progress | None = None) -> Iterator[str]:
    """The text of bytes [start, end) (both at line starts) in blocks of whole lines (the last may
    lack its newline), decoded as UTF-8 with replacement."""
    with path.open("rb") as raw:
        raw.seek(start)
        position = start
        rest = b""
        while position < end:
            block = raw.read(min(_BLOCK, end - position))
            if not block:
                break
            position += len(block)
            if progress is not None:
                progress(str(path), position, end)
            block = rest + block
            cut = block.rfind(b"\n") + 1
            if cut == 0 and position < end:
                rest = block
                continue
            rest = block[cut:]
            yield block[:cut].decode("utf-8", "replace")
        if rest:
            yield rest.decode("utf-8", "replace")


def _split(texts: Iterable[str]) -> Iterator[str]:
    """The lines of blocks of whole lines (each with its newline, but for a last one without)."""
    for text in texts:
        parts = text.split("\n")
        last = parts.pop()  # "" after the final newline
        yield from [part + "\n" for part in parts]
        if last:
            yield last


def complete_lines_end(path: Path, size: int) -> int:
    """The offset just after the last newline before ``size``: a line still being written waits."""
    with path.open("rb") as raw:
        position = size
        while position > 0:
            start = max(0, position - 65536)
            raw.seek(start)
            block = raw.read(position - start)
            cut = block.rfind(b"\n")
            if cut >= 0:
                return start + cut + 1
            position = start
    return 0


def _count_lines(path: str, start: int, end: int) -> int:
    count = 0
    with open(path, "rb") as raw:
        raw.seek(start)
        remaining = end - start
        while remaining > 0:
            block = raw.read(min(_BLOCK, remaining))
            if not block:
                break
            remaining -= len(block)
            count += block.count(b"\n")
    return count


def _ranges(
    path: Path, fmt: str, options: ReadOptions, start: int, size: int, jobs: int, min_chunk: int
) -> list[tuple[int, int]]:
    jobs = max(1, min(jobs, (size - start) // max(min_chunk, 1) or 1))
    if jobs == 1:
        return [(start, size)]
    step = (size - start) // jobs
    bounds = [start]
    with path.open("rb") as raw:
        for n in range(1, jobs):
            cut = _message_start(raw, fmt, options, start + n * step)
            if cut is not None and bounds[-1] < cut < size:
                bounds.append(cut)
    bounds.append(size)
    return list(zip(bounds, bounds[1:], strict=False))


def _message_start(raw: BinaryIO, fmt: str, options: ReadOptions, position: int) -> int | None:
    """The offset of the first line at or after ``position`` that starts a new message."""
    raw.seek(position)
    if position:
        raw.readline()  # the rest of the line ``position`` falls in
    regex = compile_prefix(options.log_line_prefix or "").regex if fmt == "postgres-stderr" else None
    limit = position + _BOUNDARY_SEARCH
    while raw.tell() < limit:
        offset = raw.tell()
        line = raw.readline()
        if not line:
            return None
        text = line.decode("utf-8", "replace")
        if fmt == "postgres-jsonlog":
            return offset
        if fmt == "postgres-csvlog":
            if csv_record_start(text):
                return offset
            continue
        found = regex.match(text.rstrip("\r\n")) if regex is not None and text[:1] != "\t" else None
        if found is not None and found.group("severity") not in _SECONDARY:
            return offset
    return None


_SECONDARY = frozenset({"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"})
