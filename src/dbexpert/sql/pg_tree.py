"""PostgreSQL parse trees as plain data: libpg_query's JSON output, decoded.

Reading dictionaries costs far less than building pglast's node objects for every statement; the
objects are built only to print an expression, and the printed text is remembered per tree shape.
Node-valued fields hold ``{"NodeName": {fields}}``; fields typed as a given struct hold ``{fields}``.
libpg_query leaves out false booleans, zero numbers and zero offsets.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pglast import ast
from pglast import parser as pg_parser

Tree = dict[str, Any]

_EMPTY: Tree = {}
_A_CONST_VALUES = {
    "ival": ast.Integer,
    "fval": ast.Float,
    "boolval": ast.Boolean,
    "sval": ast.String,
    "bsval": ast.BitString,
}
_INTEGER_TYPES = frozenset(
    "int int16 int32 long Index AttrNumber SubTransactionId bits32 AclMode RelFileNumber ParseLoc".split()
)
_OFFSET_KEYS = frozenset(
    {"location", "stmt_location", "list_start", "list_end", "rexpr_list_start", "rexpr_list_end"}
)

_DECODER = json.JSONDecoder()  # libpg_query writes bare JSON: no need for json.loads' checks around it


def parse_json(text: str) -> list[Tree]:
    """The raw statements (``{"stmt": ..., "stmt_location": ..., "stmt_len": ...}``) of ``text``,
    offsets in characters; raises pglast's ParseError like :func:`pglast.parse_sql`."""
    statements: list[Tree] = _DECODER.raw_decode(pg_parser.parse_sql_json(text))[0].get("stmts", [])
    if not text.isascii():
        to_index = pg_parser.Displacements(text)
        for raw in statements:
            location = raw.get("stmt_location", 0)
            length = raw.get("stmt_len", 0)
            begin, end = to_index(location), to_index(location + length)
            if length and begin is not None and end is not None:
                raw["stmt_len"] = end - begin
            _relocate(raw, to_index)
    return statements


def _relocate(value: Any, to_index: Any) -> None:
    """Byte offsets -> character offsets, in place (libpg_query counts UTF-8 bytes)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key in _OFFSET_KEYS and isinstance(child, int):
                    if child >= 0:
                        converted = to_index(child)
                        item[key] = -1 if converted is None else converted
                elif isinstance(child, dict | list):
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def kind(value: Any) -> str:
    """The node type of a Node-valued field (``""`` for anything else)."""
    if isinstance(value, dict) and len(value) == 1:
        for name in value:
            return name if name[:1].isupper() else ""
    return ""


def fields(value: Any, name: str) -> Tree | None:
    """The fields of ``value`` when it is a node of type ``name``."""
    if isinstance(value, dict):
        found = value.get(name)
        if isinstance(found, dict) and len(value) == 1:
            return found
    return None


def items(value: Any) -> list[Any]:
    """A list field, or a ``List`` node's items."""
    if isinstance(value, list):
        return value
    found = fields(value, "List")
    if found is not None:
        items_: list[Any] = found.get("items", [])
        return items_
    return []


def strings(nodes: Any) -> tuple[str, ...]:
    result = []
    for node in items(nodes):
        value = fields(node, "String")
        if value is not None:
            result.append(value.get("sval", ""))
    return tuple(result)


@cache
def _slots(name: str) -> tuple[bool, dict[str, str | None]]:
    """Whether node type ``name`` records an offset, and the struct type of each struct field."""
    slots = getattr(getattr(ast, name, None), "__slots__", None)
    if not isinstance(slots, dict):
        return False, {}
    structs: dict[str, str | None] = {}
    for attr, info in slots.items():
        ctype = info.c_type
        base = ctype[:-1] if ctype.endswith("*") else None
        if base in ("Node", "List", "Expr") or not hasattr(ast, base or "-"):
            base = None
        structs["def" if attr == "def_" else attr] = base
    return "location" in slots, structs


def location_span(value: Any) -> tuple[int, int] | None:
    """The smallest and largest source offsets recorded anywhere in ``value``'s subtree."""
    best: int | None = None
    last = -1
    stack: list[tuple[Any, str | None]] = [(value, None)]
    while stack:
        item, struct = stack.pop()
        if isinstance(item, list):
            stack.extend((child, None) for child in item)
            continue
        if not isinstance(item, dict):
            continue
        if struct is None:
            name = kind(item)
            if not name:
                continue
            data = item[name]
        else:
            name, data = struct, item
        located, structs = _slots(name)
        if located:
            location = data.get("location", 0)
            if isinstance(location, int) and location >= 0:
                best = location if best is None else min(best, location)
                last = max(last, location)
        if name == "List":
            stack.extend((child, None) for child in data.get("items", ()))
            continue
        for key, child in data.items():
            if isinstance(child, dict | list):
                stack.append((child, structs.get(key)))
    return None if best is None else (best, last)


# Printing ---------------------------------------------------------------------------------------


def to_ast(value: Any, struct: str | None = None) -> Any:
    """pglast's node objects for ``value`` (a Node-valued field, a list, or a ``struct`` field)."""
    if isinstance(value, list):
        return tuple(to_ast(item) for item in value)
    if not isinstance(value, dict):
        return value
    if struct is None:
        name = kind(value)
        if not name:
            return None if not value else value  # a list keeps its NULL elements as {}
        if name == "List":
            return tuple(to_ast(item) for item in value[name].get("items", ()))
        return _build(name, value[name])
    return _build(struct, value)


def _build(name: str, data: Tree) -> Any:
    cls = getattr(ast, name)
    slots = cls.__slots__
    node = cls()
    if name == "A_Const":
        node.isnull = bool(data.get("isnull", False))
        for key, value_cls in _A_CONST_VALUES.items():
            if key in data:
                node.val = _build(value_cls.__name__, data[key])
        return node
    for attr, info in slots.items():
        ctype = info.c_type
        key = "def" if attr == "def_" else attr
        if key in data:
            value = data[key]
            if ctype == "ParseLoc":
                value = _offset(value)
            elif (
                ctype.endswith("*") and isinstance(value, dict) and ctype[:-1] not in ("Node", "List", "Expr")
            ):
                value = _build(ctype[:-1], value) if hasattr(ast, ctype[:-1]) else to_ast(value)
            else:
                value = to_ast(value)
        elif ctype == "bool":
            value = False
        elif ctype in _INTEGER_TYPES:
            value = _offset(0) if ctype == "ParseLoc" else 0
        elif ctype == "char":
            value = "\x00"
        elif ctype in ("Cost", "double"):
            value = 0.0
        else:
            value = None
        if value is not None:
            setattr(node, attr, value)
    return node


def _offset(value: int) -> int | None:
    return value if value >= 0 else None


def freeze(value: Any) -> Any:
    """A hashable copy of ``value`` without source offsets: equal shapes print the same."""
    if isinstance(value, dict):
        return tuple(
            (key, freeze(child))
            for key, child in value.items()
            if not (key in _OFFSET_KEYS and isinstance(child, int))
        )
    if isinstance(value, list):
        return tuple(freeze(item) for item in value)
    return value


def sql(value: Any, struct: str | None = None) -> str:
    """``value`` printed by pglast (deparsed, not as written)."""
    return _printed(freeze(value), struct, value)


_PRINTED: dict[tuple[Any, str | None], str] = {}


def _printed(key: Any, struct: str | None, value: Any) -> str:
    cached = _PRINTED.get((key, struct))
    if cached is None:
        from pglast.stream import RawStream

        cached = RawStream()(to_ast(value, struct))
        if len(_PRINTED) < 100_000:
            _PRINTED[(key, struct)] = cached
    return cached


def type_name(value: Tree) -> str:
    """A ``TypeName`` struct as pglast prints it."""
    names = value.get("names")
    if len(value) <= 3 and value.get("typemod") == -1 and names is not None:
        # The common shape: names only. Keyed by the names alone, no walk over the tree.
        key = ("TypeName", strings(names), len(names))
        cached = _PRINTED.get((key, None))
        if cached is None:
            cached = _printed(key, None, {"TypeName": value})
        return cached
    return sql(value, "TypeName")
