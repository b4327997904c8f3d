"""PostgreSQL EXPLAIN output -> :class:`Plan`: the JSON format and the text format people paste.

Both may come wrapped by psql (a ``QUERY PLAN`` header, a ``---`` rule, a ``(N rows)`` footer and
``+`` at the end of continued lines). Every node keeps the input line it was read from, so findings
point at it. Broken or truncated input raises :class:`InputError` with ``path:line:column``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dbexpert.model import InputError
from dbexpert.model.plan import Plan, PlanJit, PlanNode

_HEADER = re.compile(r"^\s*QUERY PLAN\s*$")
_RULE = re.compile(r"^\s*-{3,}\s*$")
_FOOTER = re.compile(r"^\s*\(\d+ rows?\)\s*$")
_NUM = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_COST = re.compile(rf"\(cost=(?P<sc>{_NUM})\.\.(?P<tc>{_NUM}) rows=(?P<rows>{_NUM}) width=(?P<width>\d+)\)")
_ACTUAL = re.compile(
    rf"\(actual(?: time=(?P<st>{_NUM})\.\.(?P<tt>{_NUM}))? rows=(?P<rows>{_NUM}) loops=(?P<loops>\d+)\)"
)
_NEVER = "(never executed)"
_NAME = re.compile(r"^(?P<type>.+?)(?: using (?P<index>\S+))?(?: on (?P<rel>\S+)(?: (?P<alias>\S+))?)?$")
_JOIN = re.compile(
    r"^(?P<kind>Nested Loop|Hash|Merge)(?: (?P<join>Left|Right|Full|Semi|Anti|Right Anti|Right Semi))? ?(?:Join)?$"
)
_SORT_METHOD = re.compile(r"^(?P<method>.*?)\s+(?P<space>Memory|Disk):\s*(?P<kb>\d+)kB")
_SETTING = re.compile(r"([\w.]+) = '((?:[^']|'')*)'")
# The first word(s) of every node type PostgreSQL prints; a root line without costs must start so.
_NODE_STARTS = (
    "Aggregate Append Bitmap BitmapAnd BitmapOr CTE Custom Delete Finalize Foreign Function Gather Group "
    "GroupAggregate Hash HashAggregate HashSetOp Incremental Index Insert Limit LockRows Materialize Memoize "
    "Merge MixedAggregate ModifyTable Named Nested Parallel Partial ProjectSet Recursive Result Sample Seq "
    "SetOp Sort Subquery Table Tid Unique Update Values WindowAgg WorkTable"
).split()
_FLOAT_KEYS = {
    "Startup Cost": "startup_cost",
    "Total Cost": "total_cost",
    "Plan Rows": "plan_rows",
    "Actual Startup Time": "actual_startup_time",
    "Actual Total Time": "actual_total_time",
    "Actual Rows": "actual_rows",
}
_INT_KEYS = {
    "Plan Width": "plan_width",
    "Actual Loops": "actual_loops",
    "Rows Removed by Filter": "rows_removed_by_filter",
    "Rows Removed by Join Filter": "rows_removed_by_join_filter",
    "Sort Space Used": "sort_space_kb",
    "Hash Batches": "hash_batches",
    "Shared Hit Blocks": "shared_hit",
    "Shared Read Blocks": "shared_read",
    "Shared Dirtied Blocks": "shared_dirtied",
    "Shared Written Blocks": "shared_written",
    "Temp Read Blocks": "temp_read",
    "Temp Written Blocks": "temp_written",
    "Exact Heap Blocks": "exact_heap_blocks",
    "Lossy Heap Blocks": "lossy_heap_blocks",
    "Rows Removed by Index Recheck": "rows_removed_by_index_recheck",
    "Heap Fetches": "heap_fetches",
    "Workers Planned": "workers_planned",
    "Workers Launched": "workers_launched",
    "Original Hash Batches": "original_hash_batches",
    "Peak Memory Usage": "peak_memory_kb",
    "Disk Usage": "disk_usage_kb",
    "Planned Partitions": "planned_partitions",
}
# The same counters as the text format prints them ("Buffers: shared hit=1 read=2, temp read=3").
_BUFFER_FIELDS = {
    ("shared", "hit"): "shared_hit",
    ("shared", "read"): "shared_read",
    ("shared", "dirtied"): "shared_dirtied",
    ("shared", "written"): "shared_written",
    ("temp", "read"): "temp_read",
    ("temp", "written"): "temp_written",
}
_JSON_BUFFERS = {
    "Shared Hit Blocks": "hit",
    "Shared Read Blocks": "read",
    "Shared Dirtied Blocks": "dirtied",
    "Shared Written Blocks": "written",
    "Temp Read Blocks": "temp read",
    "Temp Written Blocks": "temp written",
}
# Text properties printed several to a line, two spaces apart ("Buckets: 1024  Batches: 4  Memory
# Usage: 78kB"), and the field each one fills.
_PAIRED = {
    "Batches": "hash_batches",
    "Memory Usage": "peak_memory_kb",
    "Disk Usage": "disk_usage_kb",
    "Planned Partitions": "planned_partitions",
}
_JIT_TIMINGS = {
    "Generation": "generation_ms",
    "Inlining": "inlining_ms",
    "Optimization": "optimization_ms",
    "Emission": "emission_ms",
    "Total": "total_ms",
}
_STR_KEYS = {
    "Relation Name": "relation",
    "Schema": "schema",
    "Alias": "alias",
    "Index Name": "index_name",
    "Parent Relationship": "parent_relationship",
    "Filter": "filter",
    "Join Filter": "join_filter",
    "Index Cond": "index_cond",
    "Hash Cond": "hash_cond",
    "Sort Method": "sort_method",
    "Sort Space Type": "sort_space_type",
}


def parse_postgres_plan(text: str, path: str = "<stdin>") -> Plan:
    """Parse EXPLAIN output, JSON or text, optionally as psql printed it."""
    lines = _unwrap(text)
    first = next(((n, s) for n, s in lines if s.strip()), None)
    if first is None:
        raise InputError(f"{path}:1:1: no query plan found (expected EXPLAIN output, text or FORMAT JSON)")
    start = first[1].lstrip()[:1]
    if start in "[{":
        return _parse_json(lines, path)
    if start == "<" or first[1].lstrip().startswith("- Plan"):
        raise InputError(
            f"{path}:{first[0]}:1: XML and YAML plans are not supported: use FORMAT JSON or text"
        )
    return _parse_text(lines, path)


def _unwrap(text: str) -> list[tuple[int, str]]:
    """The plan's lines with their input line numbers, psql's decoration removed."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = list(enumerate(raw, start=1))
    wrapped = False
    for position, (_, line) in enumerate(numbered[:-1]):
        if _HEADER.match(line) and _RULE.match(numbered[position + 1][1]):
            numbered = numbered[position + 2 :]
            wrapped = True
            break
    kept: list[tuple[int, str]] = []
    for number, line in numbered:
        if wrapped and _FOOTER.match(line):
            break
        line = line.rstrip()
        if wrapped and line.endswith("+"):
            line = line[:-1].rstrip()
        kept.append((number, line))
    return kept


# -- JSON --------------------------------------------------------------------------------------------


def _parse_json(lines: list[tuple[int, str]], path: str) -> Plan:
    text = "\n".join(line for _, line in lines)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        number = lines[min(exc.lineno, len(lines)) - 1][0]
        raise InputError(f"{path}:{number}:{exc.colno}: not a complete JSON plan: {exc.msg}") from None
    if isinstance(data, list):
        data = data[0] if data else None
    first_line = lines[0][0]
    if not isinstance(data, dict) or not isinstance(data.get("Plan"), dict):
        raise InputError(
            f'{path}:{first_line}:1: JSON without a "Plan" object: not EXPLAIN (FORMAT JSON) output'
        )
    # Nodes appear in the text in depth-first order, each opened by its "Node Type" key.
    node_lines = [number for number, line in lines if '"Node Type"' in line]
    counter = iter(node_lines)
    root = _json_node(data["Plan"], path, counter, first_line)
    settings = data.get("Settings") or {}
    try:
        return Plan(
            root=root,
            path=path,
            planning_time=_float(data.get("Planning Time")),
            execution_time=_float(data.get("Execution Time", data.get("Total Runtime"))),
            settings=MappingProxyType({str(k): str(v) for k, v in dict(settings).items()}),
            format="json",
            jit=_json_jit(data.get("JIT"), lines),
            planning_buffers=_json_planning(data.get("Planning")),
        )
    except (TypeError, ValueError):
        raise InputError(f"{path}:{first_line}:1: malformed plan timings or settings") from None


def _json_node(obj: Mapping[str, Any], path: str, counter: Any, fallback: int) -> PlanNode:
    line = next(counter, fallback)
    node_type = obj.get("Node Type")
    if not isinstance(node_type, str):
        raise InputError(f'{path}:{line}:1: plan node without a "Node Type"')
    values: dict[str, Any] = {"node_type": node_type, "line": line}
    try:
        for key, name in _FLOAT_KEYS.items():
            values[name] = _float(obj.get(key))
        for key, name in _INT_KEYS.items():
            values[name] = _int(obj.get(key))
        for key, name in _STR_KEYS.items():
            values[name] = None if obj.get(key) is None else str(obj[key])
    except (TypeError, ValueError):
        raise InputError(f"{path}:{line}:1: malformed number in {node_type} node") from None
    if values["hash_batches"] is None and obj.get("HashAgg Batches") is not None:
        try:
            values["hash_batches"] = _int(obj["HashAgg Batches"])
        except (TypeError, ValueError):
            raise InputError(f"{path}:{line}:1: malformed number in {node_type} node") from None
    values["parallel"] = bool(obj.get("Parallel Aware"))
    values["sort_key"] = tuple(str(k) for k in obj.get("Sort Key") or ())
    if values["actual_loops"] == 0:
        values["never_executed"] = True
    children = obj.get("Plans") or []
    if not isinstance(children, list) or not all(isinstance(c, dict) for c in children):
        raise InputError(f'{path}:{line}:1: "Plans" of {node_type} is not a list of nodes')
    known = {*_FLOAT_KEYS, *_INT_KEYS, *_STR_KEYS, "Node Type", "Plans", "Parallel Aware", "Sort Key", "HashAgg Batches"}
    values["attrs"] = MappingProxyType({k: v for k, v in obj.items() if k not in known})
    values["children"] = tuple(_json_node(c, path, counter, line) for c in children)
    return PlanNode(**values)


def _json_jit(obj: Any, lines: list[tuple[int, str]]) -> PlanJit | None:
    if not isinstance(obj, dict):
        return None
    timing: dict[str, Any] = obj["Timing"] if isinstance(obj.get("Timing"), dict) else {}
    options: dict[str, Any] = obj["Options"] if isinstance(obj.get("Options"), dict) else {}
    line = next((number for number, text in lines if '"JIT"' in text), None)
    return PlanJit(
        functions=_int(obj.get("Functions")),
        options=MappingProxyType({str(k): bool(v) for k, v in options.items()}),
        line=line,
        **{name: _float(timing.get(key)) for key, name in _JIT_TIMINGS.items()},
    )


def _json_planning(obj: Any) -> Mapping[str, int]:
    if not isinstance(obj, dict):
        return MappingProxyType({})
    counts = {name: _int(obj.get(key)) for key, name in _JSON_BUFFERS.items()}
    return MappingProxyType({k: v for k, v in counts.items() if v is not None})


def _float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(value)
    return float(value)


def _int(value: Any) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


# -- text --------------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A node while its lines are being read."""

    indent: int
    values: dict[str, Any]
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Draft] = field(default_factory=list)

    def build(self) -> PlanNode:
        return PlanNode(
            **self.values,
            attrs=MappingProxyType(dict(self.attrs)),
            children=tuple(child.build() for child in self.children),
        )


def _parse_text(lines: list[tuple[int, str]], path: str) -> Plan:
    stack: list[_Draft] = []
    root: _Draft | None = None
    trailer = False  # past the tree: Planning/Execution Time, Settings, JIT
    plan_values: dict[str, Any] = {"jit": {}, "planning_buffers": {}}
    settings: dict[str, str] = {}
    label: str | None = None  # "SubPlan 1", "InitPlan 1 (returns $0)", "CTE x" before a child
    for number, line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        if root is None:
            root = _node(body, number, indent + 1, path, root=True)
            root.indent = indent
            stack = [root]
            continue
        if body.startswith("->"):
            if trailer:
                raise InputError(f"{path}:{number}:{indent + 1}: plan node after the plan's summary lines")
            after = body[2:]
            start = indent + 3 + len(after) - len(after.lstrip())  # 1-based column of the node name
            node = _node(after.strip(), number, start, path)
            node.indent = indent
            if label:
                node.values["parent_relationship"] = label
                label = None
            while len(stack) > 1 and stack[-1].indent >= indent:
                stack.pop()
            stack[-1].children.append(node)
            stack.append(node)
            continue
        if trailer or indent <= root.indent:
            trailer = True
            _plan_line(body, number, plan_values, settings)
            continue
        while len(stack) > 1 and stack[-1].indent >= indent:
            stack.pop()
        if re.match(r"^(SubPlan|InitPlan|CTE) ", body) and ":" not in body:
            label = body
            continue
        _property(stack[-1], body, number, indent + 1, path)
    if root is None:  # pragma: no cover - parse_plan checked there is a non-blank line
        raise InputError(f"{path}:1:1: no query plan found")
    return Plan(
        root=root.build(),
        path=path,
        planning_time=plan_values.get("planning"),
        execution_time=plan_values.get("execution"),
        settings=MappingProxyType(settings),
        format="text",
        jit=_text_jit(plan_values["jit"]),
        planning_buffers=MappingProxyType(plan_values["planning_buffers"]),
    )


def _node(body: str, number: int, column: int, path: str, *, root: bool = False) -> _Draft:
    paren = body.find("  (")
    name = body if paren < 0 else body[:paren].strip()
    rest = "" if paren < 0 else body[paren:].strip()
    values: dict[str, Any] = {"line": number}
    if rest:
        cost = _COST.match(rest)
        if cost:
            values.update(
                startup_cost=float(cost["sc"]),
                total_cost=float(cost["tc"]),
                plan_rows=float(cost["rows"]),
                plan_width=int(cost["width"]),
            )
            rest = rest[cost.end() :].strip()
        actual = _ACTUAL.match(rest)
        if actual:
            values.update(
                actual_startup_time=None if actual["st"] is None else float(actual["st"]),
                actual_total_time=None if actual["tt"] is None else float(actual["tt"]),
                actual_rows=float(actual["rows"]),
                actual_loops=int(actual["loops"]),
            )
            rest = rest[actual.end() :].strip()
        elif rest.startswith(_NEVER):
            values.update(never_executed=True, actual_loops=0)
            rest = rest[len(_NEVER) :].strip()
        if rest:
            where = column + len(body) - len(rest)
            raise InputError(
                f"{path}:{number}:{where}: cannot read {rest[:30]!r}: expected (cost=… rows=… width=…) "
                "and (actual time=… rows=… loops=…); is the plan truncated?"
            )
    elif root and name.split(" ", 1)[0] not in _NODE_STARTS:
        raise InputError(f"{path}:{number}:{column}: expected a plan node, found {name[:40]!r}")
    values.update(_name(name))
    join = values.pop("join_type", None)
    return _Draft(indent=0, values=values, attrs={"Join Type": join} if join else {})


def _name(name: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if name.startswith("Parallel "):
        values["parallel"] = True
        name = name[len("Parallel ") :]
    match = _NAME.match(name)
    node_type = name
    if match and (match["rel"] or match["index"]):
        node_type = match["type"]
        relation = match["rel"]
        if node_type == "Bitmap Index Scan":  # "Bitmap Index Scan on <index>"
            values["index_name"], relation = relation, None
        elif match["index"]:
            values["index_name"] = match["index"]
        if relation and "." in relation and node_type not in {"Function Scan", "CTE Scan"}:
            values["schema"], relation = relation.split(".", 1)
        values["relation"] = relation
        values["alias"] = match["alias"] or relation
    join = _JOIN.match(node_type)
    if join and (join["join"] or node_type.endswith("Join") or join["kind"] == "Nested Loop"):
        node_type = "Nested Loop" if join["kind"] == "Nested Loop" else f"{join['kind']} Join"
        values["join_type"] = join["join"] or "Inner"
    values["node_type"] = node_type
    return values


def _property(draft: _Draft, body: str, number: int, column: int, path: str) -> None:
    key, sep, value = body.partition(":")
    value = value.strip()
    if not sep:
        draft.attrs[body] = ""
        return
    values = draft.values
    try:
        if key == "Filter":
            values["filter"] = value
        elif key == "Rows Removed by Filter":
            values["rows_removed_by_filter"] = int(value)
        elif key == "Join Filter":
            values["join_filter"] = value
        elif key == "Rows Removed by Join Filter":
            values["rows_removed_by_join_filter"] = int(value)
        elif key == "Index Cond":
            values["index_cond"] = value
        elif key == "Hash Cond":
            values["hash_cond"] = value
        elif key == "Sort Key":
            values["sort_key"] = tuple(_split_keys(value))
        elif key == "Sort Method":
            method = _SORT_METHOD.match(value)
            values["sort_method"] = method["method"] if method else value
            if method:
                values["sort_space_type"] = method["space"]
                values["sort_space_kb"] = int(method["kb"])
        elif key in {"Buckets", "Batches", "Planned Partitions"}:
            _paired(values, body)
            draft.attrs[key] = value
        elif key == "Buffers":
            counts = _buffers(value)
            values["shared_hit"] = counts.get(("shared", "hit"), 0)
            values["shared_read"] = counts.get(("shared", "read"), 0)
            for (area, kind), name in _BUFFER_FIELDS.items():
                if (area, kind) in counts:
                    values[name] = counts[(area, kind)]
            draft.attrs[key] = value
        elif key == "Heap Blocks":  # "exact=992 lossy=1556"; either part may be missing
            blocks = dict(re.findall(r"(exact|lossy)=(\d+)", value))
            values["exact_heap_blocks"] = int(blocks.get("exact", 0))
            values["lossy_heap_blocks"] = int(blocks.get("lossy", 0))
            draft.attrs[key] = value
        elif key == "Rows Removed by Index Recheck":
            values["rows_removed_by_index_recheck"] = int(value)
        elif key == "Heap Fetches":
            values["heap_fetches"] = int(value)
            draft.attrs[key] = value
        elif key == "Workers Planned":
            values["workers_planned"] = int(value)
            draft.attrs[key] = value
        elif key == "Workers Launched":
            values["workers_launched"] = int(value)
            draft.attrs[key] = value
        else:
            draft.attrs[key] = value
    except ValueError:
        where = column + len(key) + 2
        raise InputError(f"{path}:{number}:{where}: {key}: expected a number, found {value[:30]!r}") from None


def _paired(values: dict[str, Any], body: str) -> None:
    """``Buckets: 2048 (originally 1024)  Batches: 16 (originally 1)  Memory Usage: 78kB``."""
    for item in re.split(r"\s{2,}", body):
        key, _, value = item.partition(":")
        name = _PAIRED.get(key.strip())
        number = re.match(r"\s*(\d+)", value)
        if name is None or number is None:
            continue
        values[name] = int(number.group(1))
        original = re.search(r"originally (\d+)", value)
        if key.strip() == "Batches" and original:
            values["original_hash_batches"] = int(original.group(1))


def _plan_line(body: str, number: int, values: dict[str, Any], settings: dict[str, str]) -> None:
    key, _, value = body.partition(":")
    timing = re.match(rf"^\s*({_NUM}) ms", value)
    if not value.strip() and key in {"Planning", "JIT"}:  # a block: its lines follow, indented
        values["section"] = key
        if key == "JIT":
            values["jit"]["line"] = number
        return
    section = values.get("section")
    if section == "Planning" and key == "Buffers":
        counts = _buffers(value)
        values["planning_buffers"].update(
            (kind if area == "shared" else f"{area} {kind}", count) for (area, kind), count in counts.items()
        )
        return
    if section == "JIT" and key in {"Functions", "Options", "Timing"}:
        values["jit"][key] = value.strip()
        return
    values["section"] = None
    if key == "Planning Time" and timing:
        values["planning"] = float(timing.group(1))
    elif key in {"Execution Time", "Total runtime"} and timing:
        values["execution"] = float(timing.group(1))
    elif key == "Settings":
        settings.update((k, v.replace("''", "'")) for k, v in _SETTING.findall(value))


def _buffers(value: str) -> dict[tuple[str, str], int]:
    """``shared hit=1 read=2, temp read=3 written=4`` -> {("shared", "hit"): 1, ...}."""
    counts: dict[tuple[str, str], int] = {}
    for part in value.split(","):
        words = part.split()
        if not words:
            continue
        area = words[0]
        for word in words[1:]:
            kind, _, count = word.partition("=")
            if count.isdigit():  # a pasted line may be cut mid-number or run into the next one
                counts[(area, kind)] = int(count)
    return counts


def _text_jit(found: dict[str, Any]) -> PlanJit | None:
    """The text ``JIT:`` block: ``Functions: 9``, ``Options: Inlining true, ...``, ``Timing: Generation
    0.369 ms, ..., Total 121.139 ms``."""
    if "Timing" not in found and "Functions" not in found:
        return None
    timings = {
        _JIT_TIMINGS[key]: float(ms)
        for key, ms in re.findall(rf"(\w+) ({_NUM}) ms", found.get("Timing", ""))
        if key in _JIT_TIMINGS
    }
    options = {
        key: flag == "true" for key, flag in re.findall(r"(\w+) (true|false)", found.get("Options", ""))
    }
    functions = found.get("Functions", "")
    return PlanJit(
        functions=int(functions) if functions.isdigit() else None,
        options=MappingProxyType(options),
        line=found.get("line"),
        **timings,
    )


def _split_keys(value: str) -> list[str]:
    """Split ``a, lower(b), c DESC`` on the commas outside parentheses."""
    keys: list[str] = []
    depth, start = 0, 0
    for position, char in enumerate(value):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            keys.append(value[start:position].strip())
            start = position + 1
    keys.append(value[start:].strip())
    return [k for k in keys if k]
