"""TypeORM migrations (``migrations/<timestamp>-<Name>.ts``), parsed with tree-sitter, never run.

A migration is a class implementing ``MigrationInterface`` whose ``up(queryRunner)`` and
``down(queryRunner)`` pass SQL to ``queryRunner.query(...)``: those strings and template literals,
in source order, are the up and down scripts, each starting on the line of its string. Order
(https://typeorm.io/migrations): by the timestamp TypeORM requires at the end of the class name
(the file name's leading number otherwise).

Not understood, and reported in :attr:`Discovery.skipped` with their line: a template literal with
``${...}`` substitutions, a query whose SQL is not a literal, other ``queryRunner`` calls
(``createTable``, ``addColumn``, ...), and queries inside loops or conditions.

Transactions: TypeORM's default ``migrationsTransactionMode: "all"`` runs every pending migration
in one transaction, so a migration is transactional; a class with ``transaction = false`` runs
outside it. Parsing uses the ``tree-sitter`` and ``tree-sitter-typescript`` packages (dependencies);
should an install lack them, the files are reported, not read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources._typescript import parser as _parser
from dbexpert.sources._typescript import text as _text
from dbexpert.sources._typescript import unescape as _unescape
from dbexpert.sources._typescript import walk as _walk
from dbexpert.sources.migrations._code import Chunk, script, suppressions, within
from dbexpert.sources.migrations._files import Skipped, read_text

TOOL = "typeorm"
MISSING = "TypeScript migrations need tree-sitter and tree-sitter-typescript (dependencies of dbexpert: reinstall it)"

_TIMESTAMP = re.compile(r"(\d{10,})$")
_LEADING = re.compile(r"^(\d+)")
_DYNAMIC = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement", "if_statement",
                      "switch_statement", "arrow_function", "function_expression", "conditional_expression"})  # fmt: skip


def is_typeorm_source(text: str) -> bool:
    return "MigrationInterface" in text or "queryRunner" in text


@dataclass
class _Found:
    file: Path
    name: str
    timestamp: int
    transactional: bool
    up: MigrationScript
    down: MigrationScript | None
    skipped: list[Skipped] = field(default_factory=list)


def read(files: Sequence[Path]) -> tuple[list[Migration], list[Skipped]]:
    """TypeORM migrations among ``files``, in the order ``typeorm migration:run`` applies them."""
    parser = _parser()
    if parser is None:
        return [], [(str(f), MISSING) for f in files]
    skipped: list[Skipped] = []
    found: list[_Found] = []
    for file in files:
        source = read_text(file)
        migration = _parse(parser, file, source)
        if isinstance(migration, str):
            skipped.append((str(file), migration))
        else:
            found.append(migration)
    found.sort(key=lambda m: (m.timestamp, m.file.name))
    migrations = []
    for item in found:
        skipped.extend(item.skipped)
        migrations.append(
            Migration(
                id=item.file.stem,
                tool=TOOL,
                up=item.up,
                down=item.down,
                transactional=item.transactional,
                description=item.name + ("" if item.transactional else "; transaction = false"),
            )
        )
    return migrations, skipped


def _heading(cls: Any) -> str:
    """``class Name implements MigrationInterface``: the class up to its body."""
    body = cls.child_by_field_name("body")
    end = body.start_byte if body is not None else cls.end_byte
    return bytes(cls.text[: end - cls.start_byte]).decode("utf-8", "replace")


def _parse(parser: Any, file: Path, source: str) -> _Found | str:
    tree = parser.parse(source.encode("utf-8"))
    classes = [n for n in _walk(tree.root_node) if n.type in ("class_declaration", "class")]
    cls = next((c for c in classes if "MigrationInterface" in _heading(c)), None)
    if cls is None:
        return "no class implementing MigrationInterface: TypeORM ignores it"
    name_node = cls.child_by_field_name("name")
    name = _text(name_node) if name_node is not None else file.stem
    stamp = _TIMESTAMP.search(name) or _LEADING.match(file.name)
    body = cls.child_by_field_name("body")
    transactional = True
    methods: dict[str, Any] = {}
    for member in body.named_children:
        member_name = member.child_by_field_name("name")
        if member_name is None:
            continue
        key = _text(member_name)
        if member.type == "method_definition" and key in ("up", "down"):
            methods[key] = member
        elif member.type in ("public_field_definition", "field_definition") and key == "transaction":
            value = member.child_by_field_name("value")
            transactional = not (value is not None and re.match(r"false\b", _text(value)) is not None)
    if "up" not in methods:
        return f"class {name} has no up() method"
    skipped: list[Skipped] = []
    comments = suppressions(source)
    scripts = {key: _script(file, method, skipped, comments) for key, method in methods.items()}
    return _Found(
        file=file,
        name=name,
        timestamp=int(stamp.group(1)) if stamp else 0,
        transactional=transactional,
        up=scripts["up"],
        down=scripts.get("down"),
        skipped=skipped,
    )


def _script(file: Path, method: Any, skipped: list[Skipped], comments: dict[int, str]) -> MigrationScript:
    parameters = method.child_by_field_name("parameters")
    runner = "queryRunner"
    for parameter in parameters.named_children if parameters is not None else []:
        pattern = parameter.child_by_field_name("pattern")
        if pattern is not None:
            runner = _text(pattern)
            break
    chunks: list[Chunk] = []
    for node in _walk(method.child_by_field_name("body")):
        if node.type != "call_expression":
            continue
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            continue
        target = function.child_by_field_name("object")
        method_name = _text(function.child_by_field_name("property"))
        if target is None or _text(target) not in (runner, f"this.{runner}"):
            continue
        line = node.start_point[0] + 1
        where = f"{file}:{line}"
        call = _text(node).split("\n", 1)[0][:80]
        if method_name != "query":
            skipped.append((where, f"not understood: {call} (queryRunner.{method_name} is not translated)"))
            continue
        if _inside_dynamic(node, method):
            skipped.append((where, f"not understood: {call} (inside a loop, condition or callback)"))
            continue
        arguments = node.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        sql = _literal(first) if first is not None else None
        if sql is None or first is None:
            skipped.append((where, f"not understood: {call} (the SQL is not a literal string)"))
            continue
        sql = sql.rstrip().rstrip(";")
        if sql.strip():
            chunks.append(Chunk(first.start_point[0] + 1, sql + ";"))
    return script(str(file), chunks, within(comments, method.start_point[0] + 1, method.end_point[0] + 1))


def _inside_dynamic(node: Any, method: Any) -> bool:
    parent = node.parent
    while parent is not None and parent != method:
        if parent.type in _DYNAMIC:
            return True
        parent = parent.parent
    return False


def _literal(node: Any) -> str | None:
    if node.type == "string":
        return _unescape(_text(node)[1:-1])
    if node.type == "template_string":
        if any(child.type == "template_substitution" for child in node.named_children):
            return None
        return _unescape(_text(node)[1:-1])
    if node.type == "binary_expression" and node.child_by_field_name("operator").type == "+":
        left, right = _literal(node.child_by_field_name("left")), _literal(node.child_by_field_name("right"))
        return left + right if left is not None and right is not None else None
    if node.type == "parenthesized_expression" and node.named_children:
        return _literal(node.named_children[0])
    return None
