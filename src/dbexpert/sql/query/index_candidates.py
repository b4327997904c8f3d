"""How a query reaches each table it reads, as the index advisor needs it: which columns it pins
with equality (or IN), which one it bounds with a range (or a prefix LIKE), its join keys, its
ORDER BY and GROUP BY, the function predicates an expression index could serve, the constant
predicates a partial index could carry, and every column it reads (for covering indexes).

The answer is neutral (:class:`QueryAccess`), so the advisor above ``dbexpert.sql`` never sees a
parser tree. Parameters (``$1``) are filled here too, from values the caller supplies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from dbexpert.sql.query.sargable import is_constant
from dbexpert.sql.query.scopes import CatalogColumns, Scopes
from dbexpert.sql.query.structure import conjuncts
from dbexpert.sql.query.tree import Query

_RANGES = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)
_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE}


@dataclass(frozen=True, slots=True)
class TableAccess:
    """What one query asks of one table (column names as the query spells them, lower case)."""

    table: str
    schema: str | None = None
    equality: tuple[str, ...] = ()  # col = constant, col IN (...), col IS NULL
    ranges: tuple[str, ...] = ()  # col < constant, BETWEEN, LIKE 'abc%'
    joins: tuple[str, ...] = ()  # col = other_table.col
    order_by: tuple[str, ...] = ()  # only when every ORDER BY key is a column of this table
    group_by: tuple[str, ...] = ()
    expressions: tuple[str, ...] = ()  # lower(email) = constant: the indexable expression's SQL
    constants: tuple[tuple[str, str], ...] = ()  # (column, predicate SQL) pinned by a literal
    columns: tuple[str, ...] = ()  # every column of the table the query reads
    star: bool = False  # SELECT * or t.*: no index can cover the query
    unindexable: tuple[str, ...] = ()  # why a B-tree cannot help a predicate (GIN / trigram needs)

    @property
    def filtered(self) -> bool:
        return bool(self.equality or self.ranges or self.joins or self.expressions)


@dataclass(frozen=True, slots=True)
class QueryAccess:
    tables: tuple[TableAccess, ...]
    table_names: tuple[str, ...] = field(default=())  # every table read (unknown ones included)


def query_access(query: Query, columns: CatalogColumns | None = None) -> QueryAccess:
    """The per-table access of ``query`` (all SELECT blocks, subqueries included).

    ``columns`` (table -> column names, from the catalog) attributes bare columns of multi-table
    queries to the one table of their scope that has them (:mod:`scopes`); without it a bare
    column is attributed only in a single-table SELECT."""
    scopes = Scopes(query, columns)
    builders: dict[str, _Builder] = {}
    names: list[str] = []
    for table in query.find_all(exp.Table):
        if table.name and not isinstance(table.parent, exp.Schema):
            name = table.name.lower()
            if name not in names:
                names.append(name)
            builders.setdefault(name, _Builder(name, table.db.lower() or None if table.db else None))
    cte_names = set(scopes.ctes)
    for name in cte_names:
        builders.pop(name, None)
    names = [n for n in names if n not in cte_names]

    def builder(column: exp.Column) -> _Builder | None:
        source = scopes.source(column)
        return builders.get(source.table) if source is not None and source.table else None

    for column in query.find_all(exp.Column):
        found = builder(column)
        if found is not None and column.name:
            found.add("columns", column.name.lower())
    for star in query.find_all(exp.Star):
        _star(scopes, star, builders)
    for where in query.find_all(exp.Where):
        _conditions(query, where.this, builder, scopes)
    for join in query.find_all(exp.Join):
        if join.args.get("on") is not None:
            _conditions(query, join.args["on"], builder, scopes)
    for select in query.find_all(exp.Select):
        _ordering(select, builder)
    accesses = tuple(b.build() for b in builders.values())
    return QueryAccess(accesses, tuple(names))


def _star(scopes: Scopes, star: exp.Star, builders: dict[str, _Builder]) -> None:
    """``SELECT *`` / ``t.*`` reads every column of the tables it names: no index can cover them."""
    parent = star.parent
    if isinstance(parent, exp.Column):
        source = scopes.source(parent) if parent.table else None
        targets = [source] if source is not None else []
        scope = parent.find_ancestor(exp.Select)
    elif isinstance(parent, exp.Select):
        if isinstance(parent.parent, exp.Exists):
            return  # EXISTS (SELECT * ...) reads no column
        scope = parent
        targets = []
    else:
        return  # count(*) reads no column
    if not targets and scope is not None:
        targets = scopes.sources(scope)
    for source in targets:
        found = builders.get(source.table) if source.table else None
        if found is not None:
            found.star = True


def _conditions(
    query: Query, condition: exp.Expr, builder: Callable[[exp.Column], _Builder | None], scopes: Scopes
) -> None:
    for part in conjuncts(condition):
        if isinstance(part, exp.Or):
            continue  # an OR needs one index per branch (a BitmapOr); not a multi-column key
        if isinstance(part, exp.Not):
            continue
        _predicate(query, part, builder, scopes)


def _predicate(
    query: Query, part: exp.Expr, builder: Callable[[exp.Column], _Builder | None], scopes: Scopes
) -> None:
    if isinstance(part, exp.EQ | exp.In | exp.Is):
        left = part.this
        right = part.expression if not isinstance(part, exp.In) else None
        if isinstance(left, exp.Column) and isinstance(right, exp.Column):
            for a, b in ((left, right), (right, left)):
                found = builder(a)
                # a join key: the other side is another FROM item (a self-join's other alias too)
                if found is not None and scopes.source(a) is not scopes.source(b):
                    found.add("joins", a.name.lower())
            return
        column, other = _column_side(part)
        if column is None:
            _expression_predicate(query, part, builder)
            return
        found = builder(column)
        if found is None:
            return
        if isinstance(part, exp.In) and part.args.get("query") is not None:
            found.add("joins", column.name.lower())  # IN (subquery): a semi-join key
            return
        found.add("equality", column.name.lower())
        if isinstance(part, exp.EQ | exp.Is) and other is not None and _literal(other):
            found.add_constant(column.name.lower(), _bare(part, query.dialect))
        return
    if isinstance(part, _RANGES):
        column = part.this if isinstance(part.this, exp.Column) else None
        if column is None and not isinstance(part, exp.Between) and isinstance(part.expression, exp.Column):
            column = part.expression
        if column is not None:
            found = builder(column)
            other = part.expression if column is part.this else part.this
            if found is not None and (isinstance(part, exp.Between) or is_constant(other)):
                found.add("ranges", column.name.lower())
        return
    if isinstance(part, exp.Like | exp.ILike) and isinstance(part.this, exp.Column):
        found = builder(part.this)
        if found is None:
            return
        pattern = part.expression
        text = pattern.name if isinstance(pattern, exp.Literal) and pattern.is_string else None
        if isinstance(part, exp.Like) and text and not text.startswith(("%", "_")):
            found.add("ranges", part.this.name.lower())
        elif text is not None:
            found.add(
                "unindexable",
                f"{query.sql(part)}: a leading wildcard or ILIKE needs a trigram GIN index "
                "(CREATE EXTENSION pg_trgm; CREATE INDEX … USING gin (col gin_trgm_ops)), "
                "which hypopg cannot cost",
            )
        return
    if type(part).__name__ in ("MatchAgainst", "DPipe") or "@@" in query.sql(part):
        for column in part.find_all(exp.Column):
            found = builder(column)
            if found is not None:
                found.add(
                    "unindexable",
                    f"{query.sql(part)}: full-text search needs a GIN index on the tsvector, "
                    "which hypopg cannot cost",
                )
                return


def _expression_predicate(query: Query, part: exp.Expr, builder: Callable[[exp.Column], _Builder | None]) -> None:
    """``f(col) = constant``: an expression index on ``f(col)`` can serve it."""
    if not isinstance(part, exp.EQ):
        return
    for side, other in ((part.this, part.expression), (part.expression, part.this)):
        if isinstance(side, exp.Column) or not is_constant(other) or is_constant(side):
            continue
        columns = list(side.find_all(exp.Column))
        if not columns or isinstance(side, exp.Query | exp.Subquery):
            continue
        owners = {id(builder(c)) for c in columns}
        found = builder(columns[0])
        if found is None or len(owners) != 1:
            continue
        found.add("expressions", _bare(side, query.dialect))
        return


def _bare(node: exp.Expr, dialect: str) -> str:
    """``node`` printed without table qualifiers, as an index definition spells it."""
    bare = node.copy()
    for column in bare.find_all(exp.Column):
        column.set("table", None)
    return bare.sql(dialect=dialect)


def _column_side(part: exp.Expr) -> tuple[exp.Column | None, exp.Expr | None]:
    left = part.this
    right = None if isinstance(part, exp.In) else part.expression
    if isinstance(left, exp.Column) and (right is None or is_constant(right)):
        if isinstance(part, exp.In) and not part.args.get("query"):
            if not all(is_constant(v) for v in part.expressions):
                return None, None
        return left, right
    if isinstance(right, exp.Column) and is_constant(left):
        return right, left
    return None, None


def _literal(node: exp.Expr) -> bool:
    return isinstance(node, exp.Literal | exp.Boolean | exp.Null)


def _ordering(select: exp.Select, builder: Callable[[exp.Column], _Builder | None]) -> None:
    for key, arg in (("order_by", "order"), ("group_by", "group")):
        clause = select.args.get(arg)
        if clause is None:
            continue
        items = [item.this if isinstance(item, exp.Ordered) else item for item in clause.expressions]
        if not items or not all(isinstance(i, exp.Column) for i in items):
            continue
        owners = {builder(i) for i in items}
        if len(owners) != 1:
            continue
        found = next(iter(owners))
        if found is None:
            continue
        if key == "order_by" and any(isinstance(i, exp.Ordered) and i.args.get("desc") for i in clause.expressions):
            if not all(isinstance(i, exp.Ordered) and i.args.get("desc") for i in clause.expressions):
                continue  # mixed directions need DESC keys; left to the user
        found.set_sequence(key, tuple(i.name.lower() for i in items))


class _Builder:
    def __init__(self, table: str, schema: str | None) -> None:
        self.table = table
        self.schema = schema
        self.lists: dict[str, list[str]] = {}
        self.sequences: dict[str, tuple[str, ...]] = {}
        self.constants: list[tuple[str, str]] = []
        self.star = False

    def add(self, kind: str, value: str) -> None:
        values = self.lists.setdefault(kind, [])
        if value not in values:
            values.append(value)

    def add_constant(self, column: str, predicate: str) -> None:
        if (column, predicate) not in self.constants:
            self.constants.append((column, predicate))

    def set_sequence(self, kind: str, columns: tuple[str, ...]) -> None:
        self.sequences.setdefault(kind, columns)

    def build(self) -> TableAccess:
        lists = {k: tuple(v) for k, v in self.lists.items()}
        equality = lists.get("equality", ())
        return TableAccess(
            table=self.table,
            schema=self.schema,
            equality=equality,
            ranges=tuple(c for c in lists.get("ranges", ()) if c not in equality),
            joins=tuple(c for c in lists.get("joins", ()) if c not in equality),
            order_by=self.sequences.get("order_by", ()),
            group_by=self.sequences.get("group_by", ()),
            expressions=lists.get("expressions", ()),
            constants=tuple(self.constants),
            columns=lists.get("columns", ()),
            unindexable=lists.get("unindexable", ()),
            star=self.star,
        )


def bind_parameters(
    query: Query, value_for: Callable[[str | None, str], str | None], columns: CatalogColumns | None = None
) -> str | None:
    """The statement with each ``$n`` / ``?`` replaced by a literal from ``value_for(table, column)``
    for the column it is compared with; None when a parameter has no column or no value. ``columns``
    resolves bare columns of multi-table queries as :func:`query_access` does."""
    scopes = Scopes(query, columns)
    tree = query.copy()
    originals = list(query.find_all(exp.Placeholder, exp.Parameter))
    if not originals:
        return query.sql()
    for original in originals:
        target = query.locate(tree, original)
        parent = original.parent
        if isinstance(parent, exp.Tuple) or (isinstance(parent, exp.In) and original is not parent.this):
            parent = parent if isinstance(parent, exp.In) else parent.parent
        column = _compared_column(parent)
        if target is None or column is None:
            return None
        source = scopes.source(column)
        value = value_for(source.table if source is not None else None, column.name)
        if value is None:
            return None
        target.replace(exp.Literal.string(value))
    return tree.sql(dialect=query.dialect)


def _compared_column(parent: exp.Expr | None) -> exp.Column | None:
    if parent is None:
        return None
    if isinstance(parent, exp.In | exp.Like | exp.ILike | exp.Between) and isinstance(parent.this, exp.Column):
        return parent.this
    if isinstance(parent, exp.Binary):
        for side in (parent.this, parent.expression):
            if isinstance(side, exp.Column):
                return side
    return None


__all__ = ["QueryAccess", "TableAccess", "bind_parameters", "query_access"]
