"""What several key and index rules share: key columns, index coverage, index names and index SQL.

Not a rule (the leading underscore keeps the registry away). Pure functions over the model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from dbexpert.model import Column, Engine, ForeignKey, Index, IndexKey, Location, Table
from dbexpert.rules.context import RuleContext
from dbexpert.sql.quote import qualify

MAX_IDENT_BYTES = 63  # PostgreSQL truncates longer names silently; MySQL allows 64, SQLite any


def key_column(table: Table) -> Column | None:
    """The primary key's column when the key is a single column."""
    key = table.primary_key.columns if table.primary_key else ()
    return table.column(key[0]) if len(key) == 1 else None


def leading_columns(index: Index) -> tuple[str, ...]:
    """The plain-column keys an index starts with (expression keys end the run)."""
    run: list[str] = []
    for key in index.keys:
        if key.column is None:
            break
        run.append(key.column)
    return tuple(run)


def usable(index: Index) -> bool:
    """An index the planner can use for any lookup on its keys: valid and not partial."""
    return index.valid and index.where is None


def covering_indexes(table: Table, columns: Iterable[str]) -> list[Index]:
    """Usable indexes whose leading keys are exactly ``columns``, in any order among themselves."""
    wanted = {c.lower() for c in columns}
    found = []
    for index in table.indexes:
        lead = leading_columns(index)[: len(wanted)]
        if usable(index) and {c.lower() for c in lead} == wanted:
            found.append(index)
    return found


def is_covered(table: Table, columns: Iterable[str]) -> bool:
    """True when an index (or a key that always has one, or SQLite's rowid) starts with ``columns``."""
    wanted = tuple(columns)
    folded = {c.lower() for c in wanted}
    keys = [table.primary_key.columns] if table.primary_key else []
    keys.extend(u.columns for u in table.uniques)
    if any({c.lower() for c in key[: len(wanted)]} == folded for key in keys):
        return True
    return bool(covering_indexes(table, wanted))


def sole_cover_of(table: Table, index: Index) -> ForeignKey | None:
    """A foreign key that ``index`` is the only index for (MySQL refuses to drop such an index)."""
    for fk in table.foreign_keys:
        covers = covering_indexes(table, fk.columns)
        if index in covers and len(covers) == 1:
            return fk
    return None


def unique_on(table: Table, columns: Iterable[str]) -> bool:
    """True when some unique column set is contained in ``columns`` (so they are unique too)."""
    folded = {c.lower() for c in columns}
    return any({c.lower() for c in key} <= folded for key in table.unique_column_sets())


def index_name(table: Table, columns: Iterable[str], suffix: str = "idx") -> str:
    """``<table>_<cols>_<suffix>``, shortened with a stable hash to fit PostgreSQL's 63 bytes."""
    name = "_".join([table.name, *columns, suffix])
    if len(name.encode()) <= MAX_IDENT_BYTES:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    head = name.encode()[: MAX_IDENT_BYTES - len(digest) - 1].decode(errors="ignore")
    return f"{head}_{digest}"


def index_location(table: Table, index: Index) -> Location:
    where = index.location or table.location or Location()
    return where.with_object(f"{table.qualified_name}.{index.name}")


def key_sql(ctx: RuleContext, key: IndexKey) -> str:
    text = ctx.ident(key.column) if key.column is not None else f"({key.expression})"
    if key.prefix_length:
        text += f"({key.prefix_length})"
    if key.collation:
        text += f" COLLATE {ctx.ident(key.collation)}"
    if key.opclass:
        text += f" {key.opclass}"
    return text + (" DESC" if key.descending else "")


def index_sql(ctx: RuleContext, table: Table, index: Index, *, concurrently: bool = False) -> str:
    """A CREATE INDEX statement equivalent to ``index`` (its definition, for evidence and re-creation)."""
    unique = "UNIQUE " if index.unique else ""
    how = "CONCURRENTLY " if concurrently and ctx.engine is Engine.POSTGRES else ""
    using = f" USING {index.method}" if index.method != "btree" and ctx.engine is Engine.POSTGRES else ""
    keys = ", ".join(key_sql(ctx, key) for key in index.keys)
    include = f" INCLUDE ({ctx.columns_sql(index.include)})" if index.include else ""
    where = f" WHERE {index.where}" if index.where else ""
    name, on = _create_names(ctx, table, index.name)
    return f"CREATE {unique}INDEX {how}{name} ON {on}{using} ({keys}){include}{where};"


def create_index_sql(
    ctx: RuleContext,
    table: Table,
    name: str,
    columns: Iterable[str],
    *,
    unique: bool = False,
    where: str = "",
) -> str:
    """CREATE INDEX for plain columns, without blocking writes where the engine can."""
    index = Index(
        name=name, keys=tuple(IndexKey(column=c) for c in columns), unique=unique, where=where or None
    )
    return index_sql(ctx, table, index, concurrently=True)


def _create_names(ctx: RuleContext, table: Table, name: str) -> tuple[str, str]:
    # SQLite puts the schema on the index name and forbids it on the table; the others the reverse.
    if ctx.engine is Engine.SQLITE:
        return _qualified(ctx, table, name), ctx.ident(table.name)
    return ctx.ident(name), ctx.table_name(table)


def _qualified(ctx: RuleContext, table: Table, name: str) -> str:
    return qualify(name, table.schema, ctx.engine, ctx.catalog.default_schema)


_DROP_INDEX = {
    Engine.POSTGRES: "DROP INDEX CONCURRENTLY {index};",
    Engine.MYSQL: "ALTER TABLE {table} DROP INDEX {name};",
    Engine.SQLITE: "DROP INDEX {index};",
}


def drop_index_sql(ctx: RuleContext, table: Table, index: Index) -> str:
    return _DROP_INDEX[ctx.engine].format(
        index=_qualified(ctx, table, index.name), table=ctx.table_name(table), name=ctx.ident(index.name)
    )


def index_size(index: Index) -> int | None:
    return index.stats.size_bytes if index.stats else None


def row_estimate(table: Table | None) -> int | None:
    return table.stats.row_estimate if table is not None and table.stats else None


def key_signature(key: IndexKey) -> tuple[object, ...]:
    """What makes two key parts interchangeable (names fold case; expressions ignore spacing)."""
    part = key.column.lower() if key.column is not None else " ".join((key.expression or "").split())
    return (part, key.descending, key.opclass, key.collation, key.prefix_length)


def predicate(index: Index) -> str | None:
    if index.where is None:
        return None
    text = " ".join(index.where.split())
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text


def signature(index: Index) -> tuple[object, ...]:
    """Everything but the name and uniqueness: equal signatures serve exactly the same lookups."""
    keys = tuple(key_signature(key) for key in index.keys)
    return (keys, index.method.lower(), predicate(index), tuple(sorted(c.lower() for c in index.include)))
