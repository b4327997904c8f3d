"""The request rules over a log read in parts (``-j N``) or in runs (``--state``), as one pass finds them.

Request grouping (``nplusone.py``) is sequential: whether a statement joins the stretch of its
session or transaction depends on what is open when it comes, and a unit may straddle a split
point. Each part is therefore read with a :class:`RequestGrouper` of its own:

- the first part starts from what the previous run left open (``--state``) or from nothing, like
  one pass: everything it decides is exact;
- a later part starts from nothing, as if the log began there. Now and then early on (after 1,024
  items, then at doubling intervals up to 64 Ki items, then every 64 Ki items up to 1 Mi) it notes
  the digest of what it holds open and keeps the findings of the units closed in each stretch
  between two such checkpoints apart. The parent, holding the exact open units at the split point
  (the previous part's end), reads the part's first items again with them until its own open units
  are the ones the part held at a checkpoint: from there on both groupers decide alike, so the
  part's findings after that checkpoint and the units it left open are exact. Units usually last
  a fraction of a second of log time, so the parent rereads the first thousand items or so; if no
  checkpoint ever agrees, it reads the whole part itself — slower, never different.

Memory stays bounded: a part holds what any grouper holds (at most ``max_open`` units) and the
findings it made; the parent holds the open units of one split point at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Protocol

from dbexpert.advisors.workload.aggregate import WorkloadAggregate
from dbexpert.advisors.workload.nplusone import GroupingState, RequestGrouper
from dbexpert.model import Engine, Finding
from dbexpert.model.query_row import QueryRow
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem, RequestTrace
from dbexpert.sql.fingerprint import fingerprint


class Check(Protocol):
    """Runs the request rules over closed units. It must pickle: it travels to the worker processes
    and its findings come back (so their evidence is a plain dict)."""

    @property
    def key(self) -> str:
        """Which rules with which options: a state file's findings made with others are not reused."""
        ...

    @property
    def min_runs(self) -> int:
        """The fewest runs of one shape in a unit that any of the rules can report: units without
        such a shape are never built."""
        ...

    def __call__(self, traces: list[RequestTrace]) -> list[Finding]: ...


Item = QueryRow | LogEvent | ReadProblem
_BATCH = 1000  # closed units checked at once
_CHECKPOINTS = (1024, 1024, 2048, 4096, 8192, 16384, 32768, *(65536,) * 15)  # items between checkpoints


@dataclass(slots=True)
class Grouping:
    """The request rules' side of a read: given the rules (``check``) and what an earlier read left
    open (``carried``), it receives the findings of the units the read closed and what it left open."""

    check: Check
    carried: GroupingState | None = None
    findings: list[Finding] = field(default_factory=list)
    open: GroupingState = field(default_factory=GroupingState)
    reread_items: int = 0  # items the parent read twice to join the parts

    def final(self) -> list[Finding]:
        """The findings of everything read so far: the closed units' and those of the units still
        open, closed here as the end of the input would close them (``open`` stays as it was)."""
        return [*self.findings, *self.check(RequestGrouper(min_runs=self.check.min_runs, state=self.open).finish())]


@dataclass(frozen=True, slots=True)
class PartGrouping:
    """A part's request grouping: the digest of its open units at each checkpoint (counted in
    items), the findings of the units closed before the first checkpoint, between each two, and
    after the last, and what it left open at its end."""

    checkpoints: tuple[int, ...]
    digests: tuple[bytes, ...]
    findings: tuple[tuple[Finding, ...], ...]  # one more than checkpoints
    open: GroupingState


class _Checked:
    """Closed units, checked by the thousand; findings kept per stretch."""

    def __init__(self, check: Check) -> None:
        self.check = check
        self.pending: list[RequestTrace] = []
        self.findings: list[Finding] = []

    def keep(self, trace: RequestTrace) -> None:
        self.pending.append(trace)
        if len(self.pending) >= _BATCH:
            self.flush()

    def flush(self) -> list[Finding]:
        if self.pending:
            self.findings.extend(self.check(self.pending))
            self.pending = []
        return self.findings

    def take(self) -> tuple[Finding, ...]:
        taken = tuple(self.flush())
        self.findings = []
        return taken


def group_items(
    items: Iterable[Item],
    aggregate: WorkloadAggregate,
    engine: Engine,
    check: Check,
    carried: GroupingState | None = None,
    checkpoints: bool = False,
) -> PartGrouping:
    """Aggregate ``items`` (a reader's fast path) and group them into requests, from ``carried``.
    With ``checkpoints`` (a part that does not start where the log or the last run did), note the
    digests and split the findings as the module docstring says."""
    checked = _Checked(check)
    grouper = RequestGrouper(min_runs=check.min_runs, on_close=checked.keep, state=carried)
    stream: Iterator[Item] = iter(items)
    marks: list[int] = []
    digests: list[bytes] = []
    stretches: list[tuple[Finding, ...]] = []
    for size in _CHECKPOINTS if checkpoints else ():
        aggregate.add_items(islice(stream, size), engine, grouper.add_row)
        marks.append(size)
        digests.append(grouper.state().digest())
        stretches.append(checked.take())
        following = next(stream, None)
        if following is None:
            break
        stream = chain((following,), stream)
    aggregate.add_items(stream, engine, grouper.add_row)
    stretches.append(checked.take())
    return PartGrouping(tuple(marks), tuple(digests), tuple(stretches), grouper.state())


def group_events(
    events: Iterable[QueryEvent | LogEvent | ReadProblem], aggregate: WorkloadAggregate, check: Check
) -> PartGrouping:
    """As :func:`group_items` from the start of a log, for readers without the fast path."""
    checked = _Checked(check)
    grouper = RequestGrouper(min_runs=check.min_runs, on_close=checked.keep)

    def watched() -> Iterator[QueryEvent | LogEvent | ReadProblem]:
        for event in events:
            if isinstance(event, QueryEvent):
                grouper.add(event)
            yield event

    aggregate.add_all(watched())
    return PartGrouping((), (), (checked.take(),), grouper.state())


def join(
    exact: GroupingState, part: PartGrouping, items: Iterator[Item], engine: Engine, check: Check
) -> tuple[list[Finding], GroupingState, int]:
    """The findings of the units a later part closed and what it left open, exact: ``exact`` is what
    one pass holds open where the part starts, ``items`` the part's items read again. Also returns
    how many items were read again."""
    checked = _Checked(check)
    grouper = RequestGrouper(min_runs=check.min_runs, on_close=checked.keep, state=exact)
    add = grouper.add_row
    read = 0
    for stretch, (size, digest) in enumerate(zip(part.checkpoints, part.digests, strict=True)):
        for item in islice(items, size):
            if item.__class__ is tuple:
                add(item, fingerprint(item[0], engine), engine)
        read += size
        if grouper.state().digest() == digest:  # from here on the part decided as one pass does
            later = [f for found in part.findings[stretch + 1 :] for f in found]
            return [*checked.flush(), *later], part.open, read
    for item in items:  # no checkpoint agreed: this part's grouping is read here, whole
        read += 1
        if item.__class__ is tuple:
            add(item, fingerprint(item[0], engine), engine)
    return checked.flush(), grouper.state(), read
