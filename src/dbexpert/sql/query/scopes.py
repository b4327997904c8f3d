"""Which table a column reference reads, resolved scope by scope as SQL does.

A qualified column (``o.o_custkey``) names its source by alias; a bare one (``o_custkey``) belongs to
the one source of its SELECT that has a column of that name — the catalog says which columns a base
table has, a derived table or CTE has the columns of its select list. When no source of the SELECT
has it, the enclosing SELECT is searched (a correlated subquery); when two have it, the reference is
ambiguous and stays unresolved. Without catalog columns a base table may have any column, so a bare
column resolves only when its SELECT reads one table (the rule :meth:`Query.table_of` applies).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlglot import exp

from dbexpert.sql.query.tree import Query

# Table name (lower case) -> its column names (lower case), as the catalog knows them.
CatalogColumns = Mapping[str, Collection[str]]
_SCOPES = (exp.Select, exp.Update, exp.Delete)


@dataclass(frozen=True, slots=True, eq=False)
class Source:
    """One FROM item of a SELECT: a base table (``table``) or a derived table / CTE (``table`` None)."""

    alias: str  # what qualifies its columns here, lower case
    table: str | None
    columns: frozenset[str] | None  # None: unknown (any name may be one of its columns)

    def has(self, name: str) -> bool:
        return self.columns is None or name in self.columns


class Scopes:
    """Column -> :class:`Source` for one query, every SELECT block included."""

    def __init__(self, query: Query, columns: CatalogColumns | None = None) -> None:
        self.query = query
        self.catalog = {k.lower(): frozenset(c.lower() for c in v) for k, v in (columns or {}).items()}
        self.ctes = {cte.alias.lower(): cte for cte in query.find_all(exp.CTE) if cte.alias}
        self._cache: dict[int, list[Source]] = {}
        self._outer: dict[str, Source] = {}

    def source(self, column: exp.Column) -> Source | None:
        """The source ``column`` reads, or None when it is unknown or ambiguous."""
        name = column.name.lower()
        qualifier = column.table.lower() if column.table else None
        scope = column.find_ancestor(*_SCOPES)
        while scope is not None:
            sources = self.sources(scope)
            if qualifier is not None:
                found = [s for s in sources if s.alias == qualifier]
            else:
                found = [s for s in sources if s.has(name)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return None  # ambiguous
            scope = scope.find_ancestor(*_SCOPES)
        if qualifier is None:
            return None
        # Not a FROM item of any enclosing block (a RETURNING list, an odd dialect): the aliases of
        # the whole statement, one source per qualifier.
        if qualifier not in self._outer:
            table = self.query.aliases().get(qualifier, qualifier).lower()
            self._outer[qualifier] = Source(qualifier, None if table in self.ctes else table, self.catalog.get(table))
        return self._outer[qualifier]

    def sources(self, scope: exp.Expr) -> list[Source]:
        """The FROM items of one SELECT (UPDATE, DELETE), not those of its subqueries."""
        cached = self._cache.get(id(scope))
        if cached is not None:
            return cached
        found: list[Source] = []
        for key in ("from", "from_", "joins", "this", "using"):
            value = scope.args.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, exp.From | exp.Join):
                    item = item.this
                if isinstance(item, exp.Table) and item.name:
                    found.append(self._table(item))
                elif isinstance(item, exp.Subquery | exp.Lateral | exp.Unnest | exp.Values):
                    alias = item.alias.lower() if item.alias else ""
                    found.append(Source(alias, None, _alias_columns(item) or _outputs(item.this)))
        self._cache[id(scope)] = found
        return found

    def _table(self, table: exp.Table) -> Source:
        name = table.name.lower()
        alias = (table.alias or table.name).lower()
        cte = self.ctes.get(name) if not table.db else None
        if cte is not None:
            return Source(alias, None, _alias_columns(cte) or _outputs(cte.this))
        return Source(alias, name, self.catalog.get(name))


def _alias_columns(node: exp.Expr) -> frozenset[str] | None:
    """``AS name (a, b)``: the column names a derived table or CTE declares."""
    alias = node.args.get("alias")
    columns = alias.columns if isinstance(alias, exp.TableAlias) else []
    return frozenset(c.name.lower() for c in columns) if columns else None


def _outputs(node: exp.Expr | None) -> frozenset[str] | None:
    """The output column names of a query; None when it has ``*`` or is not a SELECT."""
    while isinstance(node, exp.Subquery):
        node = node.this
    while isinstance(node, exp.SetOperation):
        node = node.this
    if not isinstance(node, exp.Select):
        return None
    names: set[str] = set()
    for item in node.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
            return None
        if not item.alias_or_name:
            return None
        names.add(item.alias_or_name.lower())
    return frozenset(names)


__all__ = ["CatalogColumns", "Scopes", "Source"]
