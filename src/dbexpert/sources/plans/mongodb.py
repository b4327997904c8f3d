"""MongoDB ``explain()`` output -> :class:`Plan`, at any verbosity and from either query engine.

- queryPlanner: the tree is ``queryPlanner.winningPlan`` (classic engine) or
  ``queryPlanner.winningPlan.queryPlan`` (slot-based engine, 5.0+); nothing ran, so no node is analyzed.
- executionStats / allPlansExecution: the classic engine's ``executionStats.executionStages`` repeats
  the winning plan with per-stage counters (``nReturned``, ``executionTimeMillisEstimate``, ``works``,
  ``advanced``, ``keysExamined``, ``docsExamined``); the slot-based engine's execution stages are
  its own lower-level operators, so its tree stays the query plan and only the totals are kept.
- sharded clusters: ``SHARD_MERGE`` (or ``SINGLE_SHARD``) with one child per shard.
- aggregations whose first stage is a ``$cursor`` holding the above.

The input may be strict JSON or mongosh / legacy-shell output (unquoted keys, single quotes,
``ObjectId(...)``, ``NumberLong(...)``, ...), which is normalised first, with a shell prompt line
before it. Each stage keeps the input line where it is printed. ``Plan.attrs`` holds the namespace,
parsed filter, command (filter, sort, projection), totals and which engine ran the query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from dbexpert.model import Engine, InputError
from dbexpert.model.plan import Plan, PlanNode
from dbexpert.sources.plans._relaxed_json import Relaxed, position, to_strict_json

_SCANS = frozenset({"COLLSCAN", "IXSCAN", "IDHACK", "COUNT_SCAN", "DISTINCT_SCAN", "TEXT_MATCH", "GEO_NEAR_2DSPHERE"})
_TOTALS = ("nReturned", "executionTimeMillis", "totalKeysExamined", "totalDocsExamined")
_START = re.compile(r"^[ \t]*\{", re.M)


def parse_mongodb_plan(text: str, path: str = "<stdin>") -> Plan:
    """Read explain() JSON or mongosh output (queryPlanner, executionStats or allPlansExecution)."""
    data, source = _load(text, path)
    explain = _unwrap_cursor(data)
    planner = explain.get("queryPlanner")
    if not isinstance(planner, Mapping):
        raise InputError(f'{path}:1:1: not MongoDB explain() output: no "queryPlanner" document')
    stats = explain.get("executionStats")
    stats = stats if isinstance(stats, Mapping) else None
    winning = planner.get("winningPlan")
    if not isinstance(winning, Mapping):
        raise InputError(f'{path}:1:1: "queryPlanner" has no "winningPlan" document')
    slot_based = "queryPlan" in winning or str(explain.get("explainVersion", "1")) == "2"
    namespace = str(planner.get("namespace") or _shard_namespace(winning) or "")
    database, _, collection = namespace.partition(".")
    finder = _Lines(source)
    staged = stats.get("executionStages") if stats is not None else None
    tree: Any = winning.get("queryPlan") if "queryPlan" in winning else winning
    section = "winningPlan"
    if isinstance(staged, Mapping) and not slot_based:
        tree, section = staged, "executionStages"
    if not isinstance(tree, Mapping):
        raise InputError(f'{path}:1:1: the winning plan has no stages ("queryPlan" is not a document)')
    finder.seek(section)
    root = _node(tree, path, finder, collection or None, database or None)
    if slot_based and stats is not None and not root.analyzed:
        # The slot-based engine counts per operator, not per stage; the totals are the root's.
        returned = _number(stats.get("nReturned"), root.node_type, root.line, path)
        elapsed = _number(stats.get("executionTimeMillis"), root.node_type, root.line, path)
        if returned is not None:
            root = replace(root, actual_rows=returned, actual_loops=1, actual_total_time=elapsed)
    command = explain.get("command") if isinstance(explain.get("command"), Mapping) else data.get("command")
    attrs: dict[str, Any] = {
        "namespace": namespace or None,
        "collection": collection or None,
        "database": database or None,
        "parsed_query": planner.get("parsedQuery") or _shard_query(winning) or {},
        "command": command if isinstance(command, Mapping) else {},
        "query_engine": "sbe" if slot_based else "classic",
        "verbosity": _verbosity(stats),
        "rejected_plans": len(planner.get("rejectedPlans") or ()),
        "version": (explain.get("serverInfo") or data.get("serverInfo") or {}).get("version"),
    }
    for key in _TOTALS:
        if stats is not None and isinstance(stats.get(key), int | float):
            attrs[key] = stats[key]
    elapsed = attrs.get("executionTimeMillis")
    return Plan(
        root=root,
        path=path,
        execution_time=float(elapsed) if elapsed is not None else None,
        format="json",
        engine=Engine.MONGODB,
        attrs=MappingProxyType(attrs),
    )


def _load(text: str, path: str) -> tuple[dict[str, Any], str]:
    """The explain document and the text it was read from (prompt lines before it are skipped)."""
    start = _START.search(text)
    if start is None:
        raise InputError(f"{path}:1:1: expected MongoDB explain() output (a JSON document), found no '{{'")
    offset = start.end() - 1
    try:
        data, _ = json.JSONDecoder().raw_decode(text, offset)
    except json.JSONDecodeError:
        relaxed = to_strict_json(text[offset:], path)
        data = _decode_relaxed(relaxed, text, offset, path)
    if not isinstance(data, dict):
        raise InputError(f"{path}:1:1: expected a JSON document")
    return data, text


def _decode_relaxed(relaxed: Relaxed, text: str, offset: int, path: str) -> Any:
    try:
        data, _ = json.JSONDecoder().raw_decode(relaxed.text)
    except json.JSONDecodeError as exc:
        at = offset + relaxed.origin[min(exc.pos, len(relaxed.origin) - 1)]
        line, column = position(text, at)
        raise InputError(f"{path}:{line}:{column}: not a complete explain() document: {exc.msg}") from None
    return data


def _unwrap_cursor(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """An aggregation's explain keeps the find part in its first stage's ``$cursor``."""
    if "queryPlanner" in data:
        return data
    stages = data.get("stages")
    if isinstance(stages, list) and stages and isinstance(stages[0], Mapping):
        cursor = stages[0].get("$cursor")
        if isinstance(cursor, Mapping):
            return cursor
    return data


def _verbosity(stats: Mapping[str, Any] | None) -> str:
    if stats is None:
        return "queryPlanner"
    return "allPlansExecution" if "allPlansExecution" in stats else "executionStats"


def _shard_namespace(winning: Mapping[str, Any]) -> str | None:
    for shard in winning.get("shards") or ():
        if isinstance(shard, Mapping) and shard.get("namespace"):
            return str(shard["namespace"])
    return None


def _shard_query(winning: Mapping[str, Any]) -> Any:
    for shard in winning.get("shards") or ():
        if isinstance(shard, Mapping) and shard.get("parsedQuery"):
            return shard["parsedQuery"]
    return None


class _Lines:
    """Finds the input line of each stage: stages are printed in the order the tree is walked."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._at = 0

    def seek(self, key: str) -> None:
        found = re.search(rf"[\"']?{key}[\"']?\s*:", self._source[self._at :])
        if found:
            self._at += found.start()

    def stage(self, name: str) -> int | None:
        found = re.compile(rf"[\"']?stage[\"']?\s*:\s*[\"']{re.escape(name)}[\"']").search(self._source, self._at)
        if found is None:
            return None
        self._at = found.end()
        return position(self._source, found.start())[0]


def _node(
    stage: Mapping[str, Any], path: str, lines: _Lines, collection: str | None, database: str | None
) -> PlanNode:
    name = stage.get("stage")
    if not isinstance(name, str):
        raise InputError(f'{path}:1:1: a plan stage without a "stage" name: {json.dumps(stage)[:60]}')
    line = lines.stage(name)
    children = [_node(child, path, lines, collection, database) for child in _inputs(stage, path)]
    for shard in stage.get("shards") or ():
        if not isinstance(shard, Mapping):
            raise InputError(f'{path}:{line or 1}:1: "shards" of {name} is not a list of documents')
        inner = shard.get("executionStages") or shard.get("winningPlan")
        if isinstance(inner, Mapping) and isinstance(inner.get("queryPlan"), Mapping):
            inner = inner["queryPlan"]
        if isinstance(inner, Mapping):
            child = _node(inner, path, lines, collection, database)
            shard_attrs = {**child.attrs, "shardName": shard.get("shardName")}
            children.append(_with_attrs(child, shard_attrs))
    skip = {"stage", "inputStage", "inputStages", "shards"}
    attrs = {key: value for key, value in stage.items() if key not in skip}
    returned = _number(stage.get("nReturned"), name, line, path)
    elapsed = stage.get("executionTimeMillisEstimate", stage.get("executionTimeMillis"))
    sort_pattern = stage.get("sortPattern")
    return PlanNode(
        node_type=name,
        line=line,
        relation=collection if name in _SCANS else None,
        schema=database if name in _SCANS else None,
        index_name=stage.get("indexName") if isinstance(stage.get("indexName"), str) else None,
        actual_rows=returned,
        actual_loops=1 if returned is not None else None,
        actual_total_time=_number(elapsed, name, line, path),
        filter=_compact(stage.get("filter")),
        index_cond=_compact(stage.get("indexBounds")),
        sort_key=_sort_key(sort_pattern),
        sort_space_type=("Disk" if stage.get("usedDisk") else "Memory") if name == "SORT" and returned is not None else None,
        children=tuple(children),
        attrs=MappingProxyType(attrs),
    )


def _inputs(stage: Mapping[str, Any], path: str) -> list[Mapping[str, Any]]:
    single = stage.get("inputStage")
    many = stage.get("inputStages")
    found = ([single] if single is not None else []) + (list(many) if isinstance(many, list) else [])
    if any(not isinstance(child, Mapping) for child in found) or (many is not None and not isinstance(many, list)):
        raise InputError(f'{path}:1:1: the inputs of stage {stage.get("stage")} are not plan stages')
    return found


def _with_attrs(node: PlanNode, attrs: Mapping[str, Any]) -> PlanNode:
    return replace(node, attrs=MappingProxyType(dict(attrs)))


def _number(value: Any, stage: str, line: int | None, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{path}:{line or 1}:1: {stage}: expected a number, found {value!r:.30}")
    return float(value)


def _compact(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(", ", ": "), default=str)


def _sort_key(pattern: Any) -> tuple[str, ...]:
    """``{"created_at": -1, "total": 1}`` -> ``("created_at DESC", "total")``."""
    if not isinstance(pattern, Mapping):
        return ()
    return tuple(f"{key} DESC" if value == -1 else str(key) for key, value in pattern.items())
