"""What the SQLAlchemy and Django model readers share: parsed Python files, keys, engine hints.

The code is read with the stdlib ``ast`` and never run, so only what the source spells out
literally is known; anything else becomes a problem line ``path:line:column: what``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from dbexpert.model import (
    CheckConstraint,
    Column,
    Engine,
    ForeignKey,
    Index,
    IndexKey,
    Location,
    PrimaryKey,
    Table,
    UniqueConstraint,
)
from dbexpert.sources.engine_rules import postgres_constraint_name, sqlite_autoindex_name, unique_name
from dbexpert.sources.migrations import _pyast as py
from dbexpert.sources.orm import innodb_fk_indexes


@dataclass(frozen=True)
class PyFile:
    path: Path
    tree: ast.Module
    env: py.Env
    text: str


def read_python(path: Path) -> tuple[PyFile | None, str | None]:
    """The parsed file, or None and a one-line problem ``path:line:column: what``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{path}:1:1: cannot read: {exc}"
    try:
        tree = ast.parse(text, str(path))
    except SyntaxError as exc:
        return None, f"{path}:{exc.lineno or 1}:{exc.offset or 1}: Python syntax error: {exc.msg}"
    except ValueError as exc:  # null bytes
        return None, f"{path}:1:1: not Python source: {exc}"
    return PyFile(path, tree, py.module_env(tree), text), None


def location(path: Path, node: ast.AST, obj: str | None = None) -> Location:
    line = getattr(node, "lineno", None)
    column = getattr(node, "col_offset", None)
    return Location(path=str(path), line=line, column=None if column is None else column + 1, object=obj)


def problem(path: Path, node: ast.AST, what: str) -> str:
    return f"{path}:{getattr(node, 'lineno', 1)}:{getattr(node, 'col_offset', 0) + 1}: {what}"


_URL = re.compile(r"""["'](postgresql|postgres|postgis|mysql|mariadb|sqlite)(?:\+\w+)?://""")
_URL_ENGINES = {
    "postgresql": Engine.POSTGRES,
    "postgres": Engine.POSTGRES,
    "postgis": Engine.POSTGRES,
    "mysql": Engine.MYSQL,
    "mariadb": Engine.MYSQL,
    "sqlite": Engine.SQLITE,
}


def engine_from_urls(texts: Sequence[str]) -> Engine | None:
    """The engine of the first database URL literal (``"postgresql+psycopg://..."``) in ``texts``."""
    for text in texts:
        match = _URL.search(text)
        if match:
            return _URL_ENGINES[match.group(1)]
    return None


def primary_index(table: str, key: PrimaryKey, engine: Engine, rowid: bool) -> list[Index]:
    """The index behind a primary key, named as the engine names it (none for a SQLite rowid key)."""
    if rowid:
        return []
    name = {Engine.POSTGRES: f"{table}_pkey", Engine.MYSQL: "PRIMARY"}.get(
        engine, f"sqlite_autoindex_{table}_1"
    )
    return [
        Index(
            name=key.name or name,
            keys=tuple(IndexKey(column=c) for c in key.columns),
            unique=True,
            primary=True,
            constraint=key.name or name,
            location=key.location,
        )
    ]


def class_bases(node: ast.ClassDef) -> list[str]:
    """The last names of a class's bases: ``Model`` for ``models.Model``."""
    return [py.last(base) for base in node.bases if py.last(base)]


def inner_class(node: ast.ClassDef, name: str) -> ast.ClassDef | None:
    return next((s for s in node.body if isinstance(s, ast.ClassDef) and s.name == name), None)


@dataclass
class TableDraft:
    """A table being assembled from model code; :meth:`table` names keys as the engine would."""

    name: str
    engine: Engine
    location: Location
    attrs: dict[str, object]
    schema: str | None = None
    columns: list[Column] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[UniqueConstraint] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def taken(self) -> set[str]:
        names = {i.name for i in self.indexes} | {u.name for u in self.uniques if u.name}
        return names | {f.name for f in self.foreign_keys if f.name} | {c.name for c in self.checks if c.name}

    def add_unique(self, columns: tuple[str, ...], name: str | None, where: Location) -> None:
        """A UNIQUE constraint and the index behind it, named as the engine names an unnamed one."""
        index_name: str
        if self.engine is Engine.POSTGRES:
            name = name or postgres_constraint_name(self.name, columns, "key", self.taken())
            index_name = name
        elif self.engine is Engine.MYSQL:
            name = name or unique_name(columns[0], self.taken())
            index_name = name
        else:
            index_name = sqlite_autoindex_name(self.name, self.indexes)
        self.uniques.append(UniqueConstraint(columns, name, where))
        self.indexes.append(
            Index(
                name=index_name,
                keys=tuple(IndexKey(column=c) for c in columns),
                unique=True,
                constraint=name or index_name,
                location=where,
            )
        )

    def fk_name(self, columns: tuple[str, ...]) -> str | None:
        if self.engine is Engine.POSTGRES:
            return postgres_constraint_name(self.name, columns, "fkey", self.taken())
        if self.engine is Engine.MYSQL:
            used = sum(1 for f in self.foreign_keys if (f.name or "").startswith(f"{self.name}_ibfk_"))
            return f"{self.name}_ibfk_{used + 1}"
        return None

    def table(self) -> Table:
        columns = [
            replace(c, nullable=False)
            if self.primary_key and c.name in self.primary_key.columns and c.nullable
            else c
            for c in self.columns
        ]
        indexes = list(self.indexes)
        if self.primary_key is not None:
            rowid = (
                self.engine is Engine.SQLITE
                and len(self.primary_key.columns) == 1
                and (key := self.column(self.primary_key.columns[0])) is not None
                and key.raw_type.lower() == "integer"
            )
            indexes[:0] = primary_index(self.name, self.primary_key, self.engine, rowid)
        if self.engine is Engine.MYSQL:
            indexes.extend(innodb_fk_indexes(self.foreign_keys, indexes, unnamed=f"{self.name}_fk"))
        return Table(
            name=self.name,
            schema=self.schema,
            columns=tuple(columns),
            primary_key=self.primary_key,
            uniques=tuple(self.uniques),
            checks=tuple(self.checks),
            foreign_keys=tuple(self.foreign_keys),
            indexes=tuple(indexes),
            location=self.location,
            attrs=MappingProxyType(dict(self.attrs)),
        )
