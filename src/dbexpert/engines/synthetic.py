"""What synthetic data generation decides the same way on every engine: which table imitates
which, how many rows, and in which order tables are filled (parents before children)."""

from __future__ import annotations

from dbexpert.model import Catalog, Table


def source_table(source: Catalog | None, table: Table) -> Table | None:
    """The table of ``source`` that ``table`` imitates: same schema and name, else the same name."""
    if source is None:
        return None
    for candidate in source.tables:
        if candidate.name == table.name and candidate.schema == table.schema:
            return candidate
    named = [t for t in source.tables if t.name == table.name]
    return named[0] if len(named) == 1 else None


def target_rows(imitated: Table | None, rows: int) -> int:
    """``rows``, or the imitated table's row estimate when it has one, capped by ``rows``."""
    estimate = imitated.stats.row_estimate if imitated is not None and imitated.stats else None
    return rows if estimate is None or estimate < 0 else min(rows, estimate)


def fill_order(catalog: Catalog) -> list[Table]:
    """Tables with the tables they reference first (cycles broken arbitrarily, self-references ignored)."""
    tables = {t.qualified_name: t for t in catalog.tables}
    done: list[Table] = []
    seen: set[str] = set()

    def visit(table: Table, path: frozenset[str]) -> None:
        if table.qualified_name in seen:
            return
        for fk in table.foreign_keys:
            parent = catalog.referenced_table(fk, table)
            if parent is not None and parent.qualified_name not in path | {table.qualified_name}:
                visit(parent, path | {table.qualified_name})
        if table.qualified_name not in seen:
            seen.add(table.qualified_name)
            done.append(table)

    for table in tables.values():
        visit(table, frozenset())
    return done
