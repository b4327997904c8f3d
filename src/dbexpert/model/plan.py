"""A query plan: a tree of nodes with estimates and, when the query ran (EXPLAIN ANALYZE), what really
happened. PostgreSQL's EXPLAIN shaped the fields; the MySQL/MariaDB, SQLite and MongoDB readers in
dbexpert.sources.plans map their engines' plans onto the same nodes and keep the rest in ``attrs``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dbexpert.model.catalog import Engine


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PlanNode:
    node_type: str  # "Seq Scan", "Nested Loop", "Sort", ... ("Parallel" is kept in ``parallel``)
    line: int | None = None  # 1-based line of the node in the input, for locations
    relation: str | None = None
    schema: str | None = None
    alias: str | None = None
    index_name: str | None = None
    parent_relationship: str | None = None  # "Outer", "Inner", "InitPlan", ... (JSON only)
    parallel: bool = False
    startup_cost: float | None = None
    total_cost: float | None = None
    plan_rows: float | None = None  # the planner's estimate, per loop
    plan_width: int | None = None
    actual_startup_time: float | None = None  # ms, per loop (ANALYZE)
    actual_total_time: float | None = None
    actual_rows: float | None = None  # per loop, averaged over loops (ANALYZE)
    actual_loops: int | None = None
    never_executed: bool = False
    filter: str | None = None
    rows_removed_by_filter: int | None = None
    join_filter: str | None = None
    rows_removed_by_join_filter: int | None = None
    index_cond: str | None = None
    hash_cond: str | None = None
    sort_key: tuple[str, ...] = ()
    sort_method: str | None = None  # "quicksort", "top-N heapsort", "external merge", ...
    sort_space_type: str | None = None  # "Memory" or "Disk"
    sort_space_kb: int | None = None
    hash_batches: int | None = None
    shared_hit: int | None = None  # buffers (BUFFERS)
    shared_read: int | None = None
    shared_dirtied: int | None = None
    shared_written: int | None = None
    temp_read: int | None = None  # temporary-file blocks (spilled sorts, hashes, materializations)
    temp_written: int | None = None
    exact_heap_blocks: int | None = None  # Bitmap Heap Scan: "Heap Blocks: exact=N lossy=M"
    lossy_heap_blocks: int | None = None
    rows_removed_by_index_recheck: int | None = None
    heap_fetches: int | None = None  # Index Only Scan: rows whose page was not all-visible
    workers_planned: int | None = None  # Gather / Gather Merge
    workers_launched: int | None = None
    original_hash_batches: int | None = None  # Hash: batches the planner started with
    peak_memory_kb: int | None = None  # Hash / HashAggregate "Memory Usage"
    disk_usage_kb: int | None = None  # HashAggregate "Disk Usage" (PostgreSQL 13+)
    planned_partitions: int | None = None  # HashAggregate (PostgreSQL 13+)
    children: tuple[PlanNode, ...] = ()
    attrs: Mapping[str, Any] = field(default_factory=_empty)  # every other property, as given

    @property
    def analyzed(self) -> bool:
        return self.actual_loops is not None

    @property
    def is_seq_scan(self) -> bool:
        return self.node_type == "Seq Scan"

    @property
    def label(self) -> str:
        """How EXPLAIN names the node: ``Seq Scan on orders o``."""
        name = f"Parallel {self.node_type}" if self.parallel else self.node_type
        if self.index_name:
            name += f" using {self.index_name}"
        if self.relation:
            name += f" on {self.relation}"
            if self.alias and self.alias != self.relation:
                name += f" {self.alias}"
        return name

    @property
    def rows_read(self) -> float | None:
        """Rows the node looked at over all its loops: those it returned plus those its filter removed
        (EXPLAIN reports both as averages per loop)."""
        if self.actual_rows is None:
            return None
        return (self.actual_rows + (self.rows_removed_by_filter or 0)) * (self.actual_loops or 1)

    @property
    def rows_removed_total(self) -> float:
        """Rows the filter removed over all loops."""
        return (self.rows_removed_by_filter or 0) * (self.actual_loops or 1)

    def walk(self) -> Iterator[PlanNode]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class PlanJit:
    """What JIT compilation cost the query (ms), from PostgreSQL's ``JIT:`` block."""

    functions: int | None = None
    generation_ms: float | None = None
    inlining_ms: float | None = None
    optimization_ms: float | None = None
    emission_ms: float | None = None
    total_ms: float | None = None
    options: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    line: int | None = None  # the "JIT:" line (text) or the "JIT" key (JSON)


@dataclass(frozen=True, slots=True)
class Plan:
    root: PlanNode
    path: str | None = None
    planning_time: float | None = None  # ms
    execution_time: float | None = None  # ms (ANALYZE)
    settings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    format: str = "text"  # "text", "json", "tree" (MySQL), "eqp" (SQLite EXPLAIN QUERY PLAN), as read
    engine: Engine = Engine.POSTGRES
    jit: PlanJit | None = None  # PostgreSQL's "JIT:" summary
    planning_buffers: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # "hit", "read", ...
    # Plan-wide facts that belong to no node: the query text when it came with the plan (SQLite
    # ``EXPLAIN QUERY PLAN <query>``), MongoDB's namespace, parsed filter, command and totals.
    attrs: Mapping[str, Any] = field(default_factory=_empty)

    @property
    def analyzed(self) -> bool:
        return self.root.analyzed

    def nodes(self) -> Iterator[PlanNode]:
        return self.root.walk()

    def parents(self) -> Iterator[tuple[PlanNode | None, PlanNode]]:
        """(parent, node) pairs, depth first; the root's parent is None."""
        stack: list[tuple[PlanNode | None, PlanNode]] = [(None, self.root)]
        while stack:
            parent, node = stack.pop()
            yield parent, node
            stack.extend((node, child) for child in reversed(node.children))


@dataclass(frozen=True, slots=True)
class NodeInPlan:
    """What a plan rule inspects: one node, the node it feeds (None for the root), and the whole plan."""

    node: PlanNode
    parent: PlanNode | None
    plan: Plan


def iter_sites(plan: Plan) -> Iterator[NodeInPlan]:
    """Every node of ``plan`` with its parent, depth first."""
    for parent, node in plan.parents():
        yield NodeInPlan(node=node, parent=parent, plan=plan)
