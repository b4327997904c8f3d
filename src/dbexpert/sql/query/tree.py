"""Application queries as sqlglot trees, with their place in the file and the tables their columns
come from. The tree stays inside ``dbexpert.sql``: rules receive a :class:`Query` and call the
detectors of this package, which answer with neutral :class:`Match` values.

PostgreSQL text is split (and its syntax errors located) by pglast, then each statement is read by
sqlglot's PostgreSQL dialect; MySQL and SQLite statements come from sqlglot directly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dbexpert.model import Engine
from dbexpert.sql.parse import SqlSyntaxError, Statement, parse_statements
from dbexpert.sql.query.match import ColumnRef, Match

logging.getLogger("sqlglot").setLevel(logging.ERROR)

DIALECTS = {Engine.POSTGRES: "postgres", Engine.MYSQL: "mysql", Engine.SQLITE: "sqlite"}
# Statements a query check looks at; DDL and session commands are for the migration linter.
_QUERY_ROOTS = (exp.Query, exp.Insert, exp.Update, exp.Delete, exp.Merge)
N = TypeVar("N", bound=exp.Expr)
# Node types that have no subclasses in sqlglot: find_all can answer them from the index directly.
_EXACT = frozenset(
    kind
    for kind in vars(exp).values()
    if isinstance(kind, type) and issubclass(kind, exp.Expr) and not kind.__subclasses__()
)


class Query:
    """One application statement: its text and place, and its tree (opaque outside ``dbexpert.sql``)."""

    __slots__ = ("statement", "node", "dialect", "_base", "_by_type", "_aliases")

    def __init__(self, statement: Statement, node: exp.Expr, base: int) -> None:
        self.statement = statement
        self.node = node
        self.dialect = DIALECTS[statement.engine]
        self._base = base  # added to sqlglot's token offsets to get offsets into the whole text
        self._by_type: dict[type, list[exp.Expr]] | None = None
        self._aliases: dict[str, str] | None = None

    @property
    def engine(self) -> Engine:
        return self.statement.engine

    @property
    def path(self) -> str:
        return self.statement.path

    @property
    def kind(self) -> str:
        """``select``, ``insert``, ``update``, ``delete`` or ``merge``."""
        node = self.node
        if isinstance(node, exp.Query):
            return "select"
        return type(node).__name__.lower()

    def position(self, offset: int) -> tuple[int, int]:
        return self.statement.position(offset)

    @property
    def ordered(self) -> bool:
        """Whether the statement's result has an order (a top-level ORDER BY)."""
        return self.node.args.get("order") is not None

    @property
    def has_parameters(self) -> bool:
        """Whether the statement needs bind parameters to run (``$1``, ``?``, ``:name``, ``%s``)."""
        return (
            self.has(exp.Placeholder)
            or self.has(exp.Parameter)
            or any(str(v.this).startswith(":") for v in self.find_all(exp.Var))
        )

    @property
    def runnable_select(self) -> bool:
        """A SELECT that can run as is, read-only (no parameters, no locking clause, no INTO)."""
        return (
            self.kind == "select"
            and not self.has_parameters
            and not self.has(exp.Lock)
            and not self.has(exp.Into)
        )

    # -- walking ---------------------------------------------------------------------------------

    def find_all(self, *kinds: type[N]) -> Iterator[N]:
        """Nodes of the given types (subclasses included), in document order; one walk of the tree
        serves every detector, and each type's answer is kept."""
        if len(kinds) == 1:
            yield from self._of_type(kinds[0])  # type: ignore[misc]
            return
        found = [node for kind in kinds for node in self._of_type(kind)]
        found.sort(key=self.offset)
        yield from found  # type: ignore[misc]

    def _of_type(self, kind: type) -> list[exp.Expr]:
        if self._by_type is None:
            index: dict[type, list[exp.Expr]] = {}
            for node in self.node.walk():
                index.setdefault(type(node), []).append(node)
            self._by_type = index
        if kind in _EXACT:
            return self._by_type.get(kind, [])
        return [
            n
            for node_type, nodes in list(self._by_type.items())
            if issubclass(node_type, kind)
            for n in nodes
        ]

    def has(self, kind: type[exp.Expr]) -> bool:
        return next(self.find_all(kind), None) is not None

    # -- places and names ------------------------------------------------------------------------

    def offset(self, node: exp.Expr) -> int:
        """Offset into the whole text of the first token of ``node`` (the statement start if unknown)."""
        if node is self.node:
            return self.statement.start
        if node.meta and "start" in node.meta and not node.args.get("this"):
            return self._base + node.meta["start"]
        starts = [n.meta["start"] for n in node.walk() if n.meta and "start" in n.meta]
        return self._base + min(starts) if starts else self.statement.start

    def sql(self, node: exp.Expr | None = None) -> str:
        """``node`` (the whole statement by default) printed in the query's dialect."""
        return (node or self.node).sql(dialect=self.dialect, copy=False)

    def table_of(self, column: exp.Column) -> str | None:
        """The table a column reference reads: its qualifier with aliases resolved, or the only table
        of its SELECT when it has no qualifier."""
        qualifier = column.table
        if qualifier:
            return self.aliases().get(qualifier.lower(), qualifier)
        select = column.find_ancestor(exp.Select, exp.Update, exp.Delete)
        if select is None:
            return None
        tables = own_tables(select)
        return tables[0].name if len(tables) == 1 else None

    def column_ref(self, column: exp.Column) -> ColumnRef:
        return ColumnRef(self.table_of(column), column.name)

    def aliases(self) -> dict[str, str]:
        """Alias (lower case) -> table name, over the whole statement."""
        if self._aliases is None:
            self._aliases = {}
            for table in self.find_all(exp.Table):
                if table.name and table.alias:
                    self._aliases[table.alias.lower()] = table.name
        return self._aliases

    def match(
        self,
        node: exp.Expr,
        rewrite: exp.Expr | str | None = None,
        columns: tuple[ColumnRef, ...] = (),
        **facts: Any,
    ) -> Match:
        text = rewrite if isinstance(rewrite, str) or rewrite is None else self.sql(rewrite)
        return Match(self.offset(node), self.sql(node), text, columns, MappingProxyType(facts), node)

    def copy(self) -> exp.Expr:
        """A copy of the whole tree for a rewrite to transform."""
        return self.node.copy()

    def sql_with(self, node: exp.Expr, replacement: exp.Expr) -> str:
        """The whole statement printed with ``node`` replaced by ``replacement``: swapped in, printed
        and swapped back, which is much cheaper than copying the tree for a one-node rewrite."""
        if node is self.node:
            return self.sql(replacement)
        node.replace(replacement)
        try:
            return self.sql()
        finally:
            replacement.replace(node)

    def locate(self, tree: exp.Expr, node: exp.Expr) -> exp.Expr | None:
        """The node of ``tree`` (a copy of this query's tree) that stands where ``node`` stands here."""
        path: list[tuple[str, int | None]] = []
        current = node
        while current.parent is not None and current is not self.node:
            parent, key = current.parent, current.arg_key or ""
            value = parent.args.get(key)
            index = (
                next((i for i, v in enumerate(value) if v is current), None)
                if isinstance(value, list)
                else None
            )
            path.append((key, index))
            current = parent
        target: exp.Expr | None = tree
        for key, index in reversed(path):
            if target is None:
                return None
            value = target.args.get(key)
            target = value[index] if index is not None and isinstance(value, list) else value
        return target


def own_tables(select: exp.Expr) -> list[exp.Table]:
    """Tables in the FROM and JOINs of ``select`` itself, not of its subqueries."""
    tables: list[exp.Table] = []
    for key in ("from", "from_", "joins", "this"):
        value = select.args.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, exp.From | exp.Join):
                item = item.this
            if isinstance(item, exp.Table):
                tables.append(item)
    return tables


@dataclass(frozen=True, slots=True)
class QueryParse:
    queries: tuple[Query, ...]
    errors: tuple[SqlSyntaxError, ...]
    skipped: tuple[str, ...] = ()  # statements the query rules cannot read, one line each with location
    others: tuple[Statement, ...] = ()  # statements that are not queries (DDL, session commands)

    @property
    def statements(self) -> int:
        return len(self.queries) + len(self.others) + len(self.skipped)


def parse_queries(text: str, engine: Engine, path: str = "<string>") -> QueryParse:
    """The application statements of ``text`` as :class:`Query` values; syntax errors are collected
    with their line and column, and the other statements are still read."""
    if engine not in DIALECTS:
        raise SqlSyntaxError(path, 1, 1, f"no SQL dialect for engine {engine}")
    result = parse_statements(text, engine, path)
    queries: list[Query] = []
    skipped: list[str] = []
    others: list[Statement] = []
    for statement in result.statements:
        node, base, problem = _tree(statement)
        if problem is not None:
            skipped.append(f"{path}:{statement.line}:{statement.column}: not checked: {problem}")
        elif node is not None and isinstance(node, _QUERY_ROOTS):
            queries.append(Query(statement, node, base))
        else:
            others.append(statement)
    return QueryParse(tuple(queries), result.errors, tuple(skipped), tuple(others))


def _tree(statement: Statement) -> tuple[exp.Expr | None, int, str | None]:
    """The sqlglot tree of a statement, the offset its token positions count from, or why there is none."""
    if statement.engine is not Engine.POSTGRES:
        node = statement.tree.node if statement.tree is not None else None
        return node, 0, None
    head = statement.text.lstrip()[:12].lower()
    if not head.startswith(("select", "with", "insert", "update", "delete", "values", "table", "merge", "(")):
        return None, 0, None
    try:
        return sqlglot.parse_one(statement.text, read="postgres"), statement.start, None
    except (ParseError, TokenError) as exc:
        reason = str(exc).split("\n")[0]
        return None, 0, f"the query analyser cannot read this statement ({reason[:120]})"
