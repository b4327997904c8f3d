"""Incremental analysis (``--state FILE``): a log read before is not read again.

The state file remembers, per input file, its size, inode and modification time, a hash of its
first KiB and of the KiB that ended it, the number of lines and the aggregate read from it. On the
next run a file whose identity and size are unchanged reuses its aggregate (a stat, two small reads
and the state's own loading: a tiny fraction of the first run); a file that grew — same inode, same
first KiB, same KiB where it used to end — is read from where it ended, its lines numbered on from
there, and the new part merged in; anything else (rotated, truncated, rewritten, compressed, other
options) is read afresh. With the request rules (:class:`~.stitch.Grouping`), the state also keeps
their findings in the part read and the units still open where it ended (a session stretch or a
transaction the appended data may continue): a re-run reports the findings of the whole log, as one
pass over it would, while reading only what was appended. Findings made with other rules or options
are not reused: the file is read afresh. The state is a pickle of dbexpert's own objects, written
atomically: load only state files you wrote yourself.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from dbexpert.advisors.workload.aggregate import WorkloadAggregate
from dbexpert.advisors.workload.nplusone import GroupingState
from dbexpert.advisors.workload.parallel import (
    SPLITTABLE,
    Progress,
    complete_lines_end,
    is_gzip,
    read_aggregate,
    resolved_options,
)
from dbexpert.advisors.workload.stitch import Grouping
from dbexpert.model import InputError
from dbexpert.sources.logs import ReadOptions

_MAGIC = "dbexpert-workload-state"
_VERSION = 3  # 2: quantile sketches hold a flat array of counters; 3: request findings
_PROBE = 1024


@dataclass(slots=True)
class FileState:
    size: int  # bytes read: up to the last complete line
    inode: int
    mtime_ns: int
    head: str  # hash of the first KiB
    tail: str  # hash of the KiB that ended the file when it was read
    lines: int
    options: tuple[str | None, str | None]  # (format, log_line_prefix) it was read with
    aggregate: bytes  # the pickled WorkloadAggregate of the whole file so far
    rules: str | None = None  # the request rules' key (``Check.key``) when they ran
    requests: bytes | None = None  # pickled (findings of the closed units, GroupingState left open)


@dataclass(slots=True)
class State:
    files: dict[str, FileState] = field(default_factory=dict)
    reused: int = 0  # files taken whole from the state in this run
    appended: int = 0  # files read from where they ended

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.exists():
            return cls()
        try:
            with path.open("rb") as handle:
                magic, version, files = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}:1:1: not a dbexpert workload state file ({exc})") from None
        if magic != _MAGIC:
            raise InputError(f"{path}:1:1: not a dbexpert workload state file")
        return cls(files if version == _VERSION else {})

    def save(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as handle:
            pickle.dump((_MAGIC, _VERSION, self.files), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)

    def read(
        self,
        path: Path,
        fmt: str,
        options: ReadOptions,
        jobs: int = 1,
        progress: Progress | None = None,
        grouping: Grouping | None = None,
    ) -> WorkloadAggregate:
        """The aggregate of ``path``, reusing what this state knows of it; with ``grouping``, the
        request rules' findings of the whole file and its open units are put into it."""
        key = str(path.resolve())
        stat = path.stat()
        splittable = fmt in SPLITTABLE and not is_gzip(path)
        # A line still being written is left for the next run: read up to the last newline.
        end = complete_lines_end(path, stat.st_size) if splittable else stat.st_size
        if splittable:
            options = resolved_options(path, fmt, options)
        wanted = (fmt, options.log_line_prefix)
        known = self.files.get(key)
        if (
            known is not None
            and known.options == wanted
            and known.inode == stat.st_ino
            and (grouping is None or known.rules == grouping.check.key)
            and _same(path, known)
        ):
            if known.size == end and (splittable or known.mtime_ns == stat.st_mtime_ns):
                self.reused += 1
                _restore(known, grouping)
                reused: WorkloadAggregate = pickle.loads(known.aggregate)
                return reused
            if end > known.size and splittable:
                aggregate: WorkloadAggregate = pickle.loads(known.aggregate)
                if grouping is not None:
                    _restore(known, grouping)
                    grouping.carried = grouping.open
                more, lines = read_aggregate(
                    path,
                    fmt,
                    options,
                    jobs,
                    start=known.size,
                    first_line=known.lines + 1,
                    end=end,
                    progress=progress,
                    grouping=grouping,
                )
                aggregate.merge(more)
                self.appended += 1
                self._remember(key, path, stat, end, known.lines + lines, wanted, aggregate, grouping)
                return aggregate
        if grouping is not None:
            grouping.carried, grouping.findings, grouping.open = None, [], GroupingState()
        aggregate, lines = read_aggregate(
            path, fmt, options, jobs, end=end if splittable else None, progress=progress, grouping=grouping
        )
        self._remember(key, path, stat, end, lines, wanted, aggregate, grouping)
        return aggregate

    def _remember(
        self,
        key: str,
        path: Path,
        stat: os.stat_result,
        end: int,
        lines: int,
        options: tuple[str | None, str | None],
        aggregate: WorkloadAggregate,
        grouping: Grouping | None = None,
    ) -> None:
        # Pickled now: the caller merges this aggregate into others, which may change its groups.
        self.files[key] = FileState(
            size=end,
            inode=stat.st_ino,
            mtime_ns=stat.st_mtime_ns,
            head=_hash(path, 0, end),
            tail=_hash(path, max(0, end - _PROBE), end),
            lines=lines,
            options=options,
            aggregate=pickle.dumps(aggregate, protocol=pickle.HIGHEST_PROTOCOL),
            rules=grouping.check.key if grouping is not None else None,
            requests=None
            if grouping is None
            else pickle.dumps((grouping.findings, grouping.open), protocol=pickle.HIGHEST_PROTOCOL),
        )


def _restore(known: FileState, grouping: Grouping | None) -> None:
    """The request findings and open units the state kept for a file, into ``grouping``."""
    if grouping is None or known.requests is None:
        return
    findings, grouping.open = pickle.loads(known.requests)
    grouping.findings = list(findings)


def _same(path: Path, known: FileState) -> bool:
    """The file still starts as it did and still holds, where it ended, what it held."""
    return (
        _hash(path, 0, known.size) == known.head
        and _hash(path, max(0, known.size - _PROBE), known.size) == known.tail
    )


def _hash(path: Path, start: int, size: int) -> str:
    with path.open("rb") as raw:
        raw.seek(start)
        data = raw.read(min(_PROBE, size - start))
    return hashlib.blake2b(data, digest_size=16).hexdigest()
