"""``query check --verify URL``: run each query and its rewrite on a database, compare the rows, time both.

Both run in the session's read-only transaction under its statement timeout. Rows are compared as
multisets (and in order when the original's ORDER BY defines one); each side is timed as the median
of several runs after one warm-up. A rewrite marked safe that returns different rows is our bug: the
finding is downgraded to unsafe and the difference is reported.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from dbexpert.engines import EngineSession, fetch_tuples
from dbexpert.model import Applicability, DbexpertError, Finding

MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class Verification:
    same_rows: bool | None  # None: could not be compared (see reason)
    same_order: bool | None = None  # only when the original's ORDER BY defines an order
    rows: int | None = None
    original_ms: float | None = None  # median
    rewrite_ms: float | None = None
    runs: int = 0
    reason: str | None = None

    def evidence(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"same_rows": self.same_rows}
        if self.reason:
            facts["not_compared"] = self.reason
            return facts
        facts |= {
            "rows": self.rows,
            "runs_each": self.runs,
            "original_ms": self.original_ms,
            "rewrite_ms": self.rewrite_ms,
        }
        if self.same_order is not None:
            facts["same_order"] = self.same_order
        if self.original_ms and self.rewrite_ms:
            facts["speedup"] = round(self.original_ms / self.rewrite_ms, 2)
        facts["how"] = (
            "both run on the database in a read-only transaction; times are medians after a warm-up"
        )
        return facts


def verify_rewrite(
    session: EngineSession,
    original: str,
    rewrite: str,
    ordered: bool,
    runs: int = 5,
    max_rows: int = MAX_ROWS,
) -> Verification:
    """Run ``original`` and ``rewrite`` and compare their rows; time each ``runs`` times (alternating)."""
    try:
        before = fetch_tuples(session, original, max_rows)
        after = fetch_tuples(session, rewrite, max_rows)
    except DbexpertError as exc:
        return Verification(same_rows=None, reason=str(exc).splitlines()[0])
    if len(before) > max_rows or len(after) > max_rows:
        return Verification(same_rows=None, reason=f"more than {max_rows:,} rows: not compared")
    same = Counter(map(_hashable, before)) == Counter(map(_hashable, after))
    same_order = (list(map(_hashable, before)) == list(map(_hashable, after))) if ordered and same else None
    times: dict[str, list[float]] = {"original": [], "rewrite": []}
    for _ in range(runs):
        for name, sql in (("original", original), ("rewrite", rewrite)):
            times[name].append(_timed(session, sql, max_rows))
    return Verification(
        same_rows=same,
        same_order=same_order,
        rows=len(before),
        original_ms=round(statistics.median(times["original"]), 3),
        rewrite_ms=round(statistics.median(times["rewrite"]), 3),
        runs=runs,
    )


def apply_verification(finding: Finding, verification: Verification) -> tuple[Finding, str | None]:
    """The finding with the verification in its evidence, and a problem line when a safe rewrite failed."""
    evidence = {**finding.evidence, "verified": verification.evidence()}
    problem = None
    fix = finding.fix
    if fix is not None and verification.same_rows is False and fix.applicability is Applicability.SAFE:
        fix = replace(fix, applicability=Applicability.UNSAFE)
        problem = f"{finding.location}: {finding.rule}: the rewrite marked safe returned different rows (please report this)"
    return replace(finding, evidence=MappingProxyType(evidence), fix=fix), problem


def _timed(session: EngineSession, sql: str, max_rows: int) -> float:
    """Milliseconds to run ``sql`` and fetch its rows."""
    started = time.perf_counter()
    fetch_tuples(session, sql, max_rows)
    return (time.perf_counter() - started) * 1000


def _hashable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(repr(value) if isinstance(value, list | dict | set) else value for value in row)
