"""Production-like rows for exact mode on MySQL/MariaDB: every table filled on the server.

The numbers come from the server itself: MariaDB's sequence engine (``seq_1_to_N``) or, on
MySQL 8, a recursive CTE. Values follow the column types; auto-increment, generated and defaulted
columns are left to the server unless they are part of a key (a constant default would collide).
Keys get distinct values, foreign keys point at existing parent rows (parents are filled first),
and rows a constraint still rejects are skipped (``INSERT IGNORE``); a table that cannot be filled
is reported and left as it is. Each table is topped up in one ``INSERT … SELECT``.

Given the catalog of a source database to imitate, a table found in it is topped up to the
source's row estimate (capped by ``rows``), and its non-key columns take the source's distinct
count (values modulo that count; MariaDB knows it for indexed columns only, from index
cardinality) and fraction of NULLs when the source has them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymysql

from dbexpert.engines.mysql.scratch import Connection, clean_error, execute, quote
from dbexpert.engines.synthetic import fill_order, source_table, target_rows
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import Catalog, Column, Table, TypeKind

# Integer ranges, so generated numbers never overflow their column (signed or not).
_INT_LIMITS = {"tinyint": 120, "smallint": 32_000, "mediumint": 8_000_000, "int": 2_000_000_000}


@dataclass(frozen=True, slots=True)
class FillResult:
    rows: dict[str, int]  # qualified table name -> rows after filling
    notes: tuple[str, ...]  # tables that could not be filled, and why


def fill_tables(
    conn: Connection,
    catalog: Catalog,
    rows: int,
    flavor: str,
    url: DatabaseUrl,
    source: Catalog | None = None,
) -> FillResult:
    """Top every table of ``catalog`` up to ``rows`` rows (with ``source``: up to the source table's
    row estimate, capped by ``rows``); ``conn`` is in autocommit mode."""
    counts: dict[str, int] = {}
    notes: list[str] = []
    for table in fill_order(catalog):
        name = table.qualified_name
        imitated = source_table(source, table)
        have = _count(conn, table)
        missing = target_rows(imitated, rows) - have
        if missing > 0 and table.kind in ("table", "partitioned"):
            parents: _ParentKeys | None = None
            try:
                parents = _ParentKeys(conn, table, catalog)
                if flavor != "mariadb":
                    execute(conn, "SET SESSION cte_max_recursion_depth = %s", (max(1000, missing + 1),))
                execute(conn, insert_sql(table, catalog, have, missing, flavor, parents.sizes(), imitated))
            except pymysql.err.MySQLError as exc:
                notes.append(f"table {name} not filled: {clean_error(exc, url)}")
            finally:
                if parents is not None:
                    parents.drop()
            have = _count(conn, table)
        counts[name] = have
    for table in catalog.tables:  # fresh statistics, as a production table would have
        try:
            execute(conn, f"ANALYZE TABLE {_name(table)}")
        except pymysql.err.MySQLError:
            pass
    return FillResult(counts, tuple(notes))


def _count(conn: Connection, table: Table) -> int:
    return int(execute(conn, f"SELECT COUNT(*) AS n FROM {_name(table)}")[0]["n"])


def _name(table: Table) -> str:
    return f"{quote(table.schema)}.{quote(table.name)}" if table.schema else quote(table.name)


def numbers(start: int, stop: int, flavor: str) -> tuple[str, str]:
    """(prefix, source): ``{prefix}SELECT … FROM {source}`` yields ``n.g`` from ``start`` to ``stop``."""
    if flavor == "mariadb":
        return "", f"(SELECT seq AS g FROM seq_{start}_to_{stop}) AS n"
    cte = f"WITH RECURSIVE n (g) AS (SELECT {start} UNION ALL SELECT g + 1 FROM n WHERE g < {stop}) "
    return cte, "n"


def insert_sql(
    table: Table,
    catalog: Catalog,
    offset: int,
    count: int,
    flavor: str,
    parents: dict[int, int],
    imitated: Table | None = None,
) -> str:
    """``INSERT IGNORE INTO t (cols) SELECT exprs FROM <numbers offset+1 .. offset+count> [JOIN parents]``.

    ``parents`` has the row count of each foreign key's parent-key table (``_ParentKeys``), by the
    foreign key's position.
    """
    keyed = {c for cols in table.unique_column_sets() for c in cols}
    fk_columns: dict[str, str] = {}
    joins: list[str] = []
    for number, fk in enumerate(table.foreign_keys):
        parent = catalog.referenced_table(fk, table)
        if parent is None or parent.qualified_name == table.qualified_name:
            continue  # self-references stay NULL (or default)
        alias = f"p{number}"
        joins.append(_parent_join(alias, number, parents.get(number, 0)))
        for child, ref in zip(fk.columns, fk.ref_columns, strict=False):
            fk_columns.setdefault(child, f"{alias}.{quote(ref)}")
    names: list[str] = []
    values: list[str] = []
    for column in table.columns:
        if column.generated:
            continue
        if column.name in fk_columns:
            names.append(quote(column.name))
            values.append(fk_columns[column.name])
            continue
        if column.autoincrement:
            continue
        if column.default is not None and column.name not in keyed:
            continue
        if column.nullable and any(column.name in fk.columns for fk in table.foreign_keys):
            continue  # an unresolved (self-)reference: leave it NULL
        value = value_sql(column, unique=column.name in keyed)
        if value is not None and column.name not in keyed:
            value = _imitated(value, column, imitated)
        if value is None:
            continue
        names.append(quote(column.name))
        values.append(value)
    prefix, source = numbers(offset + 1, offset + count, flavor)
    if not names:  # every column left to the server: name one, so the SELECT has something to give
        first = next((c for c in table.columns if not c.generated), None)
        if first is None:
            return f"INSERT IGNORE INTO {_name(table)} () {prefix}SELECT 1 FROM {source} WHERE 1 = 0"
        names = [quote(first.name)]
        values = ["NULL" if first.autoincrement else (value_sql(first, unique=True) or "NULL")]
    return (
        f"INSERT IGNORE INTO {_name(table)} ({', '.join(names)}) "
        f"{prefix}SELECT {', '.join(values)} FROM {source}{''.join(joins)}"
    )


def _imitated(value: str, column: Column, imitated: Table | None) -> str:
    """``value`` with the distinct count and NULL fraction of the same column in the source."""
    source = imitated.column(column.name) if imitated is not None else None
    stats = source.stats if source is not None else None
    if stats is None:
        return value
    if stats.distinct is not None and stats.distinct >= 1:
        value = value.replace("n.g", f"(1 + n.g % {round(stats.distinct)})")
    if column.nullable and stats.null_fraction:
        value = f"(CASE WHEN RAND() < {stats.null_fraction:.6f} THEN NULL ELSE {value} END)"
    return value


def _parent_join(alias: str, number: int, size: int) -> str:
    """Child row g takes parent row 1 + (g + number) mod n, so children spread over all parents."""
    return f" JOIN {_KEYS_PREFIX}{number} AS {alias} ON {alias}.rn = 1 + (n.g + {number}) % {max(size, 1)}"


_KEYS_PREFIX = "dbexpert_parent_keys_"


class _ParentKeys:
    """The key values of each parent, numbered 1..n in temporary tables (joined by primary key, so
    filling a child takes one pass, not one scan of the parent per row)."""

    def __init__(self, conn: Connection, table: Table, catalog: Catalog) -> None:
        self.conn = conn
        self.made: dict[int, int] = {}
        for number, fk in enumerate(table.foreign_keys):
            parent = catalog.referenced_table(fk, table)
            if parent is None or parent.qualified_name == table.qualified_name:
                continue
            columns = ", ".join(quote(c) for c in fk.ref_columns)
            not_null = " AND ".join(f"{quote(c)} IS NOT NULL" for c in fk.ref_columns)
            execute(conn, f"DROP TEMPORARY TABLE IF EXISTS {_KEYS_PREFIX}{number}")
            execute(
                conn,
                f"CREATE TEMPORARY TABLE {_KEYS_PREFIX}{number} (PRIMARY KEY (rn))"
                f" SELECT ROW_NUMBER() OVER () AS rn, {columns} FROM {_name(parent)} WHERE {not_null}",
            )
            self.made[number] = _count_name(conn, f"{_KEYS_PREFIX}{number}")

    def sizes(self) -> dict[int, int]:
        return dict(self.made)

    def drop(self) -> None:
        for number in self.made:
            execute(self.conn, f"DROP TEMPORARY TABLE IF EXISTS {_KEYS_PREFIX}{number}")


def _count_name(conn: Connection, name: str) -> int:
    return int(execute(conn, f"SELECT COUNT(*) AS n FROM {name}")[0]["n"])


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def value_sql(column: Column, *, unique: bool) -> str | None:
    """An expression of ``n.g`` with a value of the column's type; None when we cannot make one."""
    kind = column.kind
    raw = column.raw_type.lower()
    base = raw.split("(", 1)[0].split()[0] if raw else ""
    text: str | None
    if base in _INT_LIMITS and kind is not TypeKind.BOOLEAN:
        text = f"(n.g % {_INT_LIMITS[base]})"
    elif kind is TypeKind.BIGINT:
        text = "n.g"
    elif base == "bit":
        text = "(n.g % 2)"
    elif kind is TypeKind.BOOLEAN:
        text = "(n.g % 2)"
    elif kind is TypeKind.NUMERIC:
        whole = (column.precision or 10) - (column.scale or 0)
        modulo = 10 ** min(whole, 9)
        text = f"((n.g % {modulo}) + 0.25)" if (column.scale or 0) > 0 else f"(n.g % {modulo})"
        if whole <= 0:
            text = "0.25"
    elif kind is TypeKind.FLOAT:
        text = "(n.g * 1.5)"
    elif kind in (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT):
        text = "CONCAT(n.g, '-', MD5(n.g))" if unique else "MD5(n.g)"
        if column.length:
            text = f"LEFT({text}, {column.length})"
    elif kind is TypeKind.UUID:
        text = "UUID()"
    elif kind is TypeKind.BINARY:
        text = "UNHEX(MD5(n.g))"
        if column.length:
            text = f"LEFT({text}, {column.length})"
    elif kind is TypeKind.DATE:
        text = "(DATE '2000-01-01' + INTERVAL (n.g % 2000000) DAY)"
    elif kind is TypeKind.TIME:
        text = "SEC_TO_TIME(n.g % 86400)"
    elif kind is TypeKind.TIMESTAMP:
        text = "(TIMESTAMP '2020-01-01 00:00:00' + INTERVAL n.g MINUTE)"
    elif kind is TypeKind.TIMESTAMPTZ:  # MySQL TIMESTAMP ends in 2038
        text = "(TIMESTAMP '2020-01-01 00:00:00' + INTERVAL (n.g % 5000000) MINUTE)"
    elif kind in (TypeKind.JSON, TypeKind.JSONB):
        text = "JSON_OBJECT('n', n.g)"
    elif kind is TypeKind.ENUM and column.enum_values:
        options = ", ".join(_literal(v) for v in column.enum_values)
        text = f"ELT(1 + n.g % {len(column.enum_values)}, {options})"
    elif base == "year":
        text = "(1901 + n.g % 250)"
    elif base == "set":
        text = "''"
    else:
        return None if column.nullable else "NULL"
    return text
