"""TypeORM entity files as plain data: classes, their decorators and properties, and TS enums.

Only the syntax is read here (with tree-sitter); what it means for the database is decided in
:mod:`dbexpert.sources.orm.typeorm`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dbexpert.model import InputError
from dbexpert.sources._typescript import Code, arguments, callee, position, syntax_error, text, value, walk

_CLASSES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
_MEMBERS = frozenset({"public_field_definition", "field_definition", "property_signature"})
# `string | null` and `name?: string` only say the property may be missing.
_EMPTY_TYPES = frozenset({"null", "undefined"})


@dataclass(frozen=True, slots=True)
class Decorator:
    name: str  # "Column" (a namespace prefix like `orm.` is dropped)
    args: tuple[Any, ...]  # literal values, Code for anything else
    line: int
    column: int

    @property
    def options(self) -> Mapping[str, Any]:
        """The options object among the arguments (TypeORM takes it last), or {}."""
        return next((a for a in reversed(self.args) if isinstance(a, dict)), {})

    def string(self, index: int = 0) -> str | None:
        """The ``index``-th argument when it is a string."""
        found = self.args[index] if len(self.args) > index else None
        return found if isinstance(found, str) else None


@dataclass(frozen=True, slots=True)
class Property:
    name: str
    ts_type: str | None  # the annotation without `| null` / `| undefined`, e.g. "string", "User[]"
    decorators: tuple[Decorator, ...]
    line: int
    column: int

    def decorator(self, *names: str) -> Decorator | None:
        return next((d for d in self.decorators if d.name in names), None)


@dataclass(frozen=True, slots=True)
class EntityClass:
    name: str
    base: str | None  # `extends Base`
    decorators: tuple[Decorator, ...]
    properties: tuple[Property, ...]
    path: str
    line: int
    column: int

    def decorator(self, *names: str) -> Decorator | None:
        return next((d for d in self.decorators if d.name in names), None)


@dataclass(frozen=True, slots=True)
class Source:
    classes: tuple[EntityClass, ...]
    enums: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # TS enum -> member -> value


def read_source(parser: Any, path: str, source: str) -> Source:
    """The classes and enums of one file; :class:`InputError` (``path:line:column: ...``) when it does not parse."""
    root = parser.parse(source.encode("utf-8")).root_node
    bad = syntax_error(root)
    if bad is not None:
        line, column = position(bad)
        near = f"missing {bad.type!r}" if bad.is_missing else f"near {text(bad).split(chr(10), 1)[0][:40]!r}"
        raise InputError(f"{path}:{line}:{column}: TypeScript that does not parse ({near}); file skipped")
    classes = tuple(_class(node, path) for node in walk(root) if node.type in _CLASSES)
    enums = {
        text(n.child_by_field_name("name")): _enum(n) for n in walk(root) if n.type == "enum_declaration"
    }
    return Source(classes=classes, enums=enums)


def _decorators(node: Any) -> list[Decorator]:
    found = []
    for child in node.children:
        if child.type != "decorator" or not child.named_children:
            continue
        expression = child.named_children[0]
        line, column = position(child)
        if expression.type == "call_expression":
            name = callee(expression)
            args = tuple(value(a) for a in arguments(expression))
        else:
            name, args = text(expression), ()
        found.append(Decorator(name.rsplit(".", 1)[-1], args, line, column))
    return found


def _class(node: Any, path: str) -> EntityClass:
    decorators = _decorators(node)
    start = node
    # `@Entity() export class X`: the decorators belong to the export statement.
    if node.parent is not None and node.parent.type == "export_statement":
        decorators = _decorators(node.parent) + decorators
        start = node.parent
    name_node = node.child_by_field_name("name")
    line, column = position(start)
    body = node.child_by_field_name("body")
    members = [m for m in (body.named_children if body is not None else []) if m.type in _MEMBERS]
    return EntityClass(
        name=text(name_node) if name_node is not None else "",
        base=_base(node),
        decorators=tuple(decorators),
        properties=tuple(_property(m) for m in members if m.child_by_field_name("name") is not None),
        path=path,
        line=line,
        column=column,
    )


def _base(node: Any) -> str | None:
    for child in node.children:
        if child.type != "class_heritage":
            continue
        for clause in child.named_children:
            if clause.type == "extends_clause" and clause.named_children:
                return text(clause.named_children[0]).split("<", 1)[0].strip()
    return None


def _property(node: Any) -> Property:
    annotation = node.child_by_field_name("type")
    ts_type = None
    if annotation is not None and annotation.named_children:
        kind = annotation.named_children[0]
        parts = kind.named_children if kind.type == "union_type" else [kind]
        kept = [text(p) for p in parts if text(p) not in _EMPTY_TYPES]
        ts_type = kept[0] if len(kept) == 1 else (" | ".join(kept) or None)
    line, column = position(node)
    return Property(
        name=text(node.child_by_field_name("name")),
        ts_type=ts_type,
        decorators=tuple(_decorators(node)),
        line=line,
        column=column,
    )


def _enum(node: Any) -> dict[str, str]:
    """A TS enum's members and values: the initializer when given, else the position (TS numbers them)."""
    body = node.child_by_field_name("body")
    members: dict[str, str] = {}
    for index, member in enumerate(body.named_children if body is not None else []):
        if member.type == "enum_assignment":
            name = value(member.named_children[0])
            found = value(member.child_by_field_name("value"))
            members[str(name) if not isinstance(name, Code) else name.text] = (
                found.text if isinstance(found, Code) else str(found)
            )
        elif member.type in ("property_identifier", "string"):
            name = value(member)
            members[str(name) if not isinstance(name, Code) else name.text] = str(index)
    return members
