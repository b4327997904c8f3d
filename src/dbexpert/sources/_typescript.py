"""Reading TypeScript with tree-sitter: the parser, node helpers, and literal values.

Shared by the TypeORM migration reader and the TypeORM/Drizzle schema readers. Nothing is ever
run: literals (strings, numbers, booleans, arrays, objects) are read as Python values, anything
else (identifiers, calls, arrow functions) stays a :class:`Code` node for the caller to interpret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.S)
_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
    "\n": "",
    "\r\n": "",
}
# Wrappers that do not change a value: `x as const`, `(x)`, `x satisfies T`, `x!`.
_TRANSPARENT = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"}
)


def parser(tsx: bool = False) -> Any:
    """A TypeScript parser (the TSX grammar when ``tsx``), or None when tree-sitter is missing."""
    try:
        import tree_sitter
        import tree_sitter_typescript
    except ImportError:
        return None
    grammar = tree_sitter_typescript.language_tsx() if tsx else tree_sitter_typescript.language_typescript()
    return tree_sitter.Parser(tree_sitter.Language(grammar))


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in node.children:
        yield from walk(child)


def text(node: Any) -> str:
    return bytes(node.text).decode("utf-8")


def position(node: Any) -> tuple[int, int]:
    """1-based (line, column) of a node."""
    return node.start_point[0] + 1, node.start_point[1] + 1


def syntax_error(root: Any) -> Any | None:
    """Where tree-sitter gave up (a MISSING token, or the last token of the first ERROR), or None."""
    if not root.has_error:
        return None
    for node in walk(root):
        if node.is_missing:
            return node
        if node.type == "ERROR":
            # the error node starts at the statement it could not finish; its last token is the culprit
            while node.children:
                node = node.children[-1]
            return node
    return root


def unescape(literal: str) -> str:
    """A JavaScript string literal's body with its escapes resolved."""

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        if escape.startswith("u{"):
            return chr(int(escape[2:-1], 16))
        if escape[0] in "ux" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return escape

    return _ESCAPE.sub(replace, literal)


@dataclass(frozen=True, slots=True)
class Code:
    """An expression that is not a literal (an identifier, a call, an arrow function...)."""

    node: Any

    @property
    def text(self) -> str:
        return text(self.node)

    @property
    def type(self) -> str:
        return str(self.node.type)


def unwrap(node: Any) -> Any:
    while node.type in _TRANSPARENT and node.named_children:
        node = node.named_children[0]
    return node


def value(node: Any) -> Any:
    """A literal as a Python value (str, int, float, bool, None, list, dict); :class:`Code` otherwise."""
    node = unwrap(node)
    kind = node.type
    if kind == "string":
        return unescape(text(node)[1:-1])
    if kind == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
        return unescape(text(node)[1:-1])
    if kind == "number":
        return _number(text(node))
    if kind in ("true", "false"):
        return kind == "true"
    if kind in ("null", "undefined"):
        return None
    if kind == "unary_expression" and text(node).startswith("-") and node.named_children:
        inner = value(node.named_children[0])
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return -inner
    if kind == "array":
        return [value(child) for child in node.named_children if child.type != "comment"]
    if kind == "object":
        return _object(node)
    return Code(node)


def _number(literal: str) -> int | float:
    cleaned = literal.replace("_", "").rstrip("n")
    try:
        return int(cleaned, 0)
    except ValueError:
        return float(cleaned)


def _object(node: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for child in node.named_children:
        if child.type == "pair":
            key_node = child.child_by_field_name("key")
            key = value(key_node) if key_node.type != "property_identifier" else text(key_node)
            found[str(key)] = value(child.child_by_field_name("value"))
        elif child.type == "shorthand_property_identifier":
            found[text(child)] = Code(child)
    return found


def arguments(call: Any) -> list[Any]:
    """The argument nodes of a call expression (comments left out)."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [a for a in args.named_children if a.type != "comment"]


def callee(call: Any) -> str:
    """The called name: ``Column`` for ``Column(...)``, ``pg.Column`` for ``pg.Column(...)``."""
    function = call.child_by_field_name("function")
    return text(function) if function is not None else ""
