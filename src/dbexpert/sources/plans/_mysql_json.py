"""``EXPLAIN FORMAT=JSON`` of MySQL 5.7/8.0 and MariaDB, and MariaDB's ``ANALYZE FORMAT=JSON`` -> Plan.

The JSON nests operations (``ordering_operation``, ``grouping_operation``, ``duplicates_removal``,
MariaDB's ``filesort`` and ``temporary_table``, subqueries, unions, materialized derived tables)
around ``nested_loop`` lists of ``table`` objects. Each operation and each table becomes a node; a
table's node type is the readable name of its access type (``ALL`` -> ``Table scan``), the access
type itself stays in ``attrs``. Estimates: ``plan_rows`` is the rows examined per scan
(``rows_examined_per_scan`` in MySQL, ``rows`` in MariaDB). MariaDB's ANALYZE adds ``r_loops``,
``r_rows`` (rows read per loop) and ``r_filtered`` (percent kept by the attached condition):
``actual_rows`` is what the condition kept and ``rows_removed_by_filter`` what it discarded, per
loop, as PostgreSQL counts them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from dbexpert.model import Engine, InputError
from dbexpert.model.plan import Plan, PlanNode

ACCESS_NAMES = {
    "ALL": "Table scan",
    "index": "Index scan",
    "range": "Index range scan",
    "ref": "Index lookup",
    "ref_or_null": "Index lookup or null",
    "eq_ref": "Single-row index lookup",
    "const": "Constant row",
    "system": "Constant row",
    "fulltext": "Full-text index lookup",
    "index_merge": "Index merge",
    "unique_subquery": "Single-row index lookup (subquery)",
    "index_subquery": "Index lookup (subquery)",
    "hash_ALL": "Hash join table scan",
    "hash_index": "Hash join index scan",
    "hash_range": "Hash join range scan",
}
# Objects that wrap further operations, and the node type each becomes.
_WRAPPERS = {
    "ordering_operation": "Order by",
    "grouping_operation": "Group by",
    "duplicates_removal": "Duplicates removal",
    "windowing": "Window",
    "filesort": "Sort",
    "temporary_table": "Temporary table",
    "materialized_from_subquery": "Materialized subquery",
    "materialized": "Materialized subquery",
    "union_result": "Union result",
    "query_block": "Query block",
    "having": "Having",
}
_TRANSPARENT = {"read_sorted_file", "buffer_result"}
_SUBQUERY_LISTS = {
    "subqueries",
    "attached_subqueries",
    "select_list_subqueries",
    "optimized_away_subqueries",
    "having_subqueries",
    "order_by_subqueries",
    "group_by_subqueries",
    "update_value_subqueries",
    "query_specifications",
}
_NODE_KEYS = {"table", *_WRAPPERS, *_SUBQUERY_LISTS}
_KEY_LINE = re.compile(r'(?:^|[\s{,\[])"([\w-]+)"\s*:')


def parse_json(lines: list[tuple[int, str]], path: str) -> Plan:
    text = "\n".join(line for _, line in lines)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        number = lines[min(exc.lineno, len(lines)) - 1][0]
        raise InputError(
            f"{path}:{number}:{exc.colno}: not a complete MySQL JSON plan: {exc.msg}"
        ) from None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    first_line = next(n for n, s in lines if s.strip())
    if not isinstance(data, dict) or not isinstance(data.get("query_block"), dict):
        raise InputError(
            f'{path}:{first_line}:1: JSON without a "query_block" object: not MySQL EXPLAIN FORMAT=JSON output'
        )
    reader = _Reader(path, _key_lines(lines), first_line)
    root = reader.wrapper("query_block", data["query_block"], reader.line("query_block", first_line))
    analyzed = root.actual_loops is not None
    execution = _number(data["query_block"].get("r_total_time_ms")) if analyzed else None
    return Plan(root=root, path=path, execution_time=execution, format="json", engine=Engine.MYSQL)


def _key_lines(lines: list[tuple[int, str]]) -> dict[str, Iterator[int]]:
    """For each node key, the lines it appears on, in order: the reader walks objects in text order."""
    found: dict[str, list[int]] = {}
    for number, line in lines:
        for key in _KEY_LINE.findall(line):
            if key in _NODE_KEYS:
                found.setdefault(key, []).append(number)
    return {key: iter(numbers) for key, numbers in found.items()}


class _Reader:
    def __init__(self, path: str, key_lines: dict[str, Iterator[int]], fallback: int) -> None:
        self.path = path
        self.key_lines = key_lines
        self.fallback = fallback

    def line(self, key: str, fallback: int) -> int:
        return next(self.key_lines.get(key, iter(())), fallback)

    def fail(self, line: int, what: str) -> InputError:
        return InputError(f"{self.path}:{line}:1: {what}")

    # -- containers ------------------------------------------------------------------------------

    def contents(self, obj: Mapping[str, Any], line: int) -> tuple[list[PlanNode], dict[str, Any]]:
        """The nodes inside an operation object, and its remaining (scalar) properties."""
        children: list[PlanNode] = []
        attrs: dict[str, Any] = {}
        for key, value in obj.items():
            if key == "table":
                children.append(self.table(self._object(value, key, line), self.line(key, line)))
            elif key == "nested_loop":
                if not isinstance(value, list):
                    raise self.fail(line, '"nested_loop" is not a list of tables')
                for item in value:
                    item_nodes, _ = self.contents(self._object(item, key, line), line)
                    children.extend(item_nodes)
            elif key == "block-nl-join":
                children.append(self.join_buffer(self._object(value, key, line), line))
            elif key in _WRAPPERS and isinstance(value, dict):
                children.append(self.wrapper(key, value, self.line(key, line)))
            elif key in _TRANSPARENT and isinstance(value, dict):
                inner, inner_attrs = self.contents(value, line)
                children.extend(inner)
                attrs.update({f"{key}.{k}": v for k, v in inner_attrs.items()})
            elif key in _SUBQUERY_LISTS:
                children.extend(self.subqueries(key, value, self.line(key, line)))
            else:
                attrs[key] = value
        return children, attrs

    def wrapper(self, key: str, obj: Mapping[str, Any], line: int) -> PlanNode:
        children, attrs = self.contents(obj, line)
        values: dict[str, Any] = {"node_type": _WRAPPERS[key], "line": line}
        if key == "filesort":
            attrs["using_filesort"] = True
            values["sort_key"] = _split_keys(attrs.get("sort_key"))
        if key == "temporary_table":
            attrs["using_temporary_table"] = True
        if attrs.get("using_filesort") and key == "ordering_operation":
            values["node_type"] = "Sort"
        if key == "union_result" and attrs.get("table_name"):
            values["relation"] = str(attrs["table_name"])
        self._analyzed(values, attrs, line)
        return PlanNode(children=tuple(children), attrs=MappingProxyType(attrs), **values)

    def subqueries(self, key: str, value: Any, line: int) -> list[PlanNode]:
        if not isinstance(value, list):
            raise self.fail(line, f'"{key}" is not a list of subqueries')
        nodes = []
        for item in value:
            item = self._object(item, key, line)
            children, attrs = self.contents(item, line)
            attrs["kind"] = key
            nodes.append(
                PlanNode(
                    node_type="Union part" if key == "query_specifications" else "Subquery",
                    line=children[0].line if children else line,
                    children=tuple(children),
                    attrs=MappingProxyType(attrs),
                )
            )
        return nodes

    # -- tables ----------------------------------------------------------------------------------

    def table(self, obj: Mapping[str, Any], line: int) -> PlanNode:
        children, attrs = self.contents({k: v for k, v in obj.items() if k != "table"}, line)
        access = attrs.get("access_type")
        name = attrs.get("table_name")
        values: dict[str, Any] = {"line": line}
        if name is not None:
            values["relation"] = values["alias"] = str(name)
        values["node_type"] = ACCESS_NAMES.get(str(access), str(access)) if access else "Table"
        if access == "index" and attrs.get("using_index"):
            values["node_type"] = "Covering index scan"
        if attrs.get("key") is not None:
            values["index_name"] = str(attrs["key"])
        if attrs.get("attached_condition") is not None:
            values["filter"] = str(attrs["attached_condition"])
        if attrs.get("index_condition") is not None:
            values["index_cond"] = str(attrs["index_condition"])
        try:
            examined = attrs.get("rows_examined_per_scan", attrs.get("rows"))
            values["plan_rows"] = _number(examined)
            filtered = _number(attrs.get("filtered"))
            if filtered is not None:
                attrs["filtered"] = filtered
            produced = _number(attrs.get("rows_produced_per_join"))
            if produced is None and values["plan_rows"] is not None:
                produced = values["plan_rows"] * (100.0 if filtered is None else filtered) / 100
            if produced is not None:
                attrs["rows_produced"] = produced
            cost = attrs.get("cost_info")
            if isinstance(cost, dict) and cost.get("prefix_cost") is not None:
                values["total_cost"] = _number(cost["prefix_cost"])
        except (TypeError, ValueError):
            raise self.fail(line, f"malformed number in table {name}") from None
        self._analyzed(values, attrs, line)
        return PlanNode(children=tuple(children), attrs=MappingProxyType(attrs), **values)

    def join_buffer(self, obj: Mapping[str, Any], line: int) -> PlanNode:
        """MariaDB's ``block-nl-join``: the buffered table, joined by the block's condition."""
        inner = obj.get("table")
        if not isinstance(inner, dict):
            raise self.fail(line, '"block-nl-join" without its "table"')
        node = self.table(inner, self.line("table", line))
        block = {k: v for k, v in obj.items() if k != "table"}
        attrs = dict(node.attrs)
        attrs["join_buffer"] = block
        attrs["join_type"] = block.get("join_type", "BNL")
        condition = block.get("attached_condition")
        return _replace(node, join_filter=None if condition is None else str(condition), attrs=attrs)

    # -- helpers ---------------------------------------------------------------------------------

    def _analyzed(self, values: dict[str, Any], attrs: dict[str, Any], line: int) -> None:
        """MariaDB ANALYZE: r_loops, r_rows (read per loop), r_filtered (percent kept), times."""
        if "r_loops" not in attrs:
            return
        try:
            loops = int(_number(attrs["r_loops"]) or 0)
            values["actual_loops"] = loops
            values["never_executed"] = loops == 0
            read = _number(attrs.get("r_rows"))
            kept = _number(attrs.get("r_filtered"))
            if read is not None:
                returned = read * (100.0 if kept is None else kept) / 100
                values["actual_rows"] = returned
                values["rows_removed_by_filter"] = round(read - returned)
            total = _number(attrs.get("r_table_time_ms", attrs.get("r_total_time_ms")))
            if total is not None and loops:
                values["actual_total_time"] = total / loops
        except (TypeError, ValueError):
            raise self.fail(line, "malformed r_loops, r_rows, r_filtered or time") from None

    def _object(self, value: Any, key: str, line: int) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(line, f'"{key}" holds {type(value).__name__}, expected an object')
        return value


def _number(value: Any) -> float | None:
    """MySQL prints some numbers as strings ("filtered": "10.00", "query_cost": "1.25")."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(value)
    return float(value)


def _split_keys(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in str(value).split(",") if part.strip())


def _replace(node: PlanNode, **changes: Any) -> PlanNode:
    from dataclasses import replace

    if "attrs" in changes:
        changes["attrs"] = MappingProxyType(dict(changes["attrs"]))
    return replace(node, **changes)
