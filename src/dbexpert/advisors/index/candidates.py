"""Index candidates for a workload, from how each query reaches each table.

Key order follows the B-tree rule: equality columns first (most distinct first), then one range
column or the ORDER BY / GROUP BY columns. Each candidate is a *path*: the selection widens an index
along it one column at a time. Covering variants add the other columns the query reads as INCLUDE
(index-only scans); partial variants carry a constant predicate on a skewed column; expression
candidates index ``f(col)``. What cannot be costed hypothetically (GIN, trigram) is returned as
rejected with the reason, as is what an existing index already serves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from dbexpert.advisors.index.size import btree_bound, btree_bytes, column_distinct, column_width
from dbexpert.advisors.index.size_innodb import EXTENT_PAGES, innodb_bytes
from dbexpert.advisors.index.size_innodb import PAGE as INNODB_PAGE
from dbexpert.model import Catalog, Engine, Table
from dbexpert.sql.query.index_candidates import TableAccess
from dbexpert.sql.quote import qualify, quote_ident

MAX_IDENT_BYTES = 63
# A constant predicate is worth a partial index when its value is this rare and the column this skewed.
PARTIAL_MAX_FRACTION = 0.2
PARTIAL_MIN_TOP_FREQUENCY = 0.5
INNODB_EXTENT = EXTENT_PAGES * INNODB_PAGE


@dataclass(frozen=True, slots=True)
class Candidate:
    """One index the advisor may recommend (B-tree unless ``method`` says otherwise)."""

    table: str  # qualified name as the catalog spells it
    keys: tuple[str, ...]  # column names, or expressions when ``expression``
    include: tuple[str, ...] = ()
    where: str | None = None
    expression: bool = False
    method: str = "btree"
    engine: Engine = Engine.POSTGRES
    schema: str | None = None
    name_: str = ""

    @property
    def table_name(self) -> str:
        return self.table.rsplit(".", 1)[-1]

    @property
    def name(self) -> str:
        if self.name_:
            return self.name_
        parts = [self.table_name, *(_word(k) for k in self.keys)]
        # INCLUDE columns and the predicate are part of the name: two candidates differing only there
        # (one query's covering variant and another's) must not collide when both are built.
        if self.include:
            parts += ["incl", *(_word(c) for c in self.include)]
        if self.where:
            parts += ["part", hashlib.sha1(self.where.encode()).hexdigest()[:6]]
        return _short("_".join([*parts, "idx"]))

    def key_sql(self) -> str:
        keys = [f"({k})" if self.expression else quote_ident(k, self.engine) for k in self.keys]
        return ", ".join(keys)

    def sql(self, concurrently: bool = False, name: bool = True) -> str:
        where = f" WHERE {self.where}" if self.where else ""
        include = (
            f" INCLUDE ({', '.join(quote_ident(c, self.engine) for c in self.include)})" if self.include else ""
        )
        using = f" USING {self.method}" if self.method != "btree" else ""
        word = "CREATE INDEX CONCURRENTLY" if concurrently else "CREATE INDEX"
        named = f" {quote_ident(self.name, self.engine)}" if name else ""
        # SQLite names the schema on the index, not the table: the table is left unqualified there.
        schema = self.schema if self.engine is Engine.POSTGRES else None
        target = qualify(self.table_name, schema, self.engine, "public")
        return f"{word}{named} ON {target}{using} ({self.key_sql()}){include}{where}"

    def widen(self, key: str) -> Candidate:
        return replace(self, keys=(*self.keys, key), include=tuple(c for c in self.include if c != key))

    def prefix(self, length: int) -> Candidate:
        return replace(self, keys=self.keys[:length], include=())

    @property
    def signature(self) -> tuple[object, ...]:
        return (self.table, self.keys, self.include, self.where, self.expression, self.method)


@dataclass(frozen=True, slots=True)
class Rejected:
    table: str
    what: str  # the index or predicate considered
    reason: str


@dataclass(frozen=True, slots=True)
class CandidateSet:
    paths: tuple[Candidate, ...]  # full-width candidates; selection widens along them
    rejected: tuple[Rejected, ...] = ()
    by_query: dict[int, tuple[Candidate, ...]] = field(default_factory=dict)


def candidates_for(
    accesses: Sequence[tuple[int, TableAccess]], catalog: Catalog, max_width: int = 3
) -> CandidateSet:
    """Candidates for every (query number, table access) pair whose table the catalog knows."""
    paths: dict[tuple[object, ...], Candidate] = {}
    rejected: dict[tuple[str, str], Rejected] = {}
    by_query: dict[int, list[Candidate]] = {}
    for number, access in accesses:
        table = catalog.table(access.table, access.schema)
        if table is None:
            continue
        for reason in access.unindexable:
            rejected[(table.qualified_name, reason)] = Rejected(table.qualified_name, reason.split(":")[0], reason)
        for candidate in _for_access(access, table, catalog.engine, max_width):
            served = served_by_existing(candidate, table)
            if served:
                rejected[(table.qualified_name, candidate.sql())] = Rejected(
                    table.qualified_name, candidate.sql(name=False), f"already served by the existing index {served}"
                )
                continue
            paths.setdefault(candidate.signature, candidate)
            by_query.setdefault(number, []).append(candidate)
    return CandidateSet(
        tuple(paths.values()), tuple(rejected.values()), {k: tuple(v) for k, v in by_query.items()}
    )


def _for_access(access: TableAccess, table: Table, engine: Engine, max_width: int) -> Iterable[Candidate]:
    known = {c.name.lower(): c.name for c in table.columns}
    rows = float(table.stats.row_estimate or 0) if table.stats else 0.0

    def real(columns: Iterable[str]) -> list[str]:
        return [known[c] for c in columns if c in known]

    def distinct(name: str) -> float:
        return column_distinct(table.column(name), rows or 1.0, table)

    equality = sorted(real(access.equality), key=lambda c: -distinct(c))
    base = Candidate(table.qualified_name, (), engine=engine, schema=table.schema)
    keys: list[list[str]] = []
    for tail in [[r] for r in real(access.ranges)] + [real(access.order_by), real(access.group_by), []]:
        keys.append(_unique([*equality, *tail]))
    for join in real(access.joins):
        keys.append(_unique([join, *equality]))
        keys.append([join])
    selected = real(access.columns)
    for key in keys:
        key = key[:max_width]
        if not key:
            continue
        candidate = replace(base, keys=tuple(key))
        yield candidate
        rest = [c for c in selected if c not in key]
        if rest and not access.star and engine is Engine.POSTGRES and len(key) + len(rest) <= max_width + 2:
            yield replace(candidate, include=tuple(rest))
    for expression in access.expressions:
        yield replace(base, keys=(expression,), expression=True)
    for column, predicate in access.constants:  # MySQL/MariaDB have no partial indexes
        if column in known and engine is not Engine.MYSQL and _skewed_rare(table, known[column], predicate):
            others = [k for k in equality if k != known[column]] + real(access.ranges)[:1]
            key = others[:max_width] or [known[column]]
            yield replace(base, keys=tuple(key), where=predicate)


def _skewed_rare(table: Table, column: str, predicate: str) -> bool:
    """The constant is rare on a column whose most common value dominates (status = 'failed')."""
    found = table.column(column)
    stats = found.stats if found is not None else None
    if stats is None or not stats.most_common_freqs:
        return False
    if stats.most_common_freqs[0] < PARTIAL_MIN_TOP_FREQUENCY:
        return False
    for value, frequency in zip(stats.most_common_values, stats.most_common_freqs, strict=False):
        if f"'{value}'" in predicate or predicate.rstrip().endswith(f" {value}"):
            return frequency <= PARTIAL_MAX_FRACTION
    return True  # not among the common values: rarer than all of them


def served_by_existing(candidate: Candidate, table: Table) -> str | None:
    """The name of a valid existing index that starts with the candidate's keys (and covers it)."""
    if candidate.expression:
        return None
    wanted = [k.lower() for k in candidate.keys]
    needed = {c.lower() for c in candidate.include}
    for index in table.indexes:
        if not index.valid or index.method != "btree":
            continue
        if (index.where or None) != (candidate.where or None) and index.where is not None:
            continue
        lead = [k.column.lower() if k.column else "" for k in index.keys]
        if lead[: len(wanted)] != wanted:
            continue
        have = {c for c in lead} | {c.lower() for c in index.include}
        if needed <= have and (candidate.where is None or index.where == candidate.where):
            return index.name
    if table.primary_key and [c.lower() for c in table.primary_key.columns][: len(wanted)] == wanted:
        if not needed:
            return table.primary_key.name or f"{table.name}_pkey"
    return None


def estimated_bytes(candidate: Candidate, table: Table) -> int:
    """The modelled real size of ``candidate`` once built."""
    return _estimate(candidate, table, bound=False)


def estimated_bound(candidate: Candidate, table: Table) -> int:
    """The most ``candidate`` is expected to take once built: what the budget counts. B-trees: the
    model raised by its calibrated margin (:mod:`size`), a partial index at the largest share of
    rows its predicate may keep; InnoDB: one more extent (the model lands on whole extents, and
    one leaf page too few misses one)."""
    return _estimate(candidate, table, bound=True)


def _estimate(candidate: Candidate, table: Table, bound: bool) -> int:
    fraction = 1.0
    if candidate.where:
        # the predicate is rare by construction: modelled at half the largest share it may keep
        fraction = PARTIAL_MAX_FRACTION if bound else PARTIAL_MAX_FRACTION / 2
    size = btree_bound if bound else btree_bytes
    extra = INNODB_EXTENT if bound else 0
    if candidate.expression:
        # An expression is as wide as the widest column it reads (lower(email) ~ email) and counts as
        # all-distinct (no deduplication).
        words = {w.lower() for k in candidate.keys for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", k)}
        widths = [column_width(c) for c in table.columns if c.name.lower() in words]
        width = max(widths, default=16.0)
        if candidate.engine is Engine.MYSQL:
            return innodb_bytes(table, candidate.keys, expression_width=width) + extra
        return size(table, candidate.keys, (), expression_width=width, row_fraction=fraction)
    if candidate.engine is Engine.MYSQL:  # InnoDB: no partial indexes, no INCLUDE, no deduplication
        return innodb_bytes(table, candidate.keys) + extra
    return size(table, candidate.keys, candidate.include, row_fraction=fraction)


def _unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _word(key: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in key.lower()).strip("_") or "expr"


def _short(name: str) -> str:
    """Fit PostgreSQL's 63-byte identifiers with a stable hash suffix."""
    if len(name.encode()) <= MAX_IDENT_BYTES:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name.encode()[: MAX_IDENT_BYTES - 9].decode(errors='ignore')}_{digest}"
