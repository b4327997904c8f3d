"""PostgreSQL and MySQL facts shared by the migration rules, as data, plus the SQL they suggest.

Function volatility was read from ``pg_proc.provolatile`` on PostgreSQL 15 (extension functions from
their extension scripts). Which ``ALTER COLUMN ... TYPE`` changes rewrite the table was measured on
PostgreSQL 15 by comparing ``pg_class.relfilenode`` before and after the statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbexpert.model import Engine, Table, Version
from dbexpert.rules.context import RuleContext
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl

# The oldest PostgreSQL release the version-dependent rules describe.
OLDEST_PG = Version(9, 6)
# PostgreSQL 11 stores a non-volatile ADD COLUMN default in the catalog instead of rewriting.
FAST_DEFAULT_PG = Version(11)
# PostgreSQL 12 lets ALTER TYPE ... ADD VALUE run inside a transaction block, and lets SET NOT NULL
# skip its scan when a validated CHECK (col IS NOT NULL) proves it; timestamp <-> timestamptz with a
# UTC session TimeZone is no longer a rewrite.
ENUM_ADD_VALUE_IN_TRANSACTION_PG = Version(12)
SET_NOT_NULL_BY_CHECK_PG = Version(12)
TIMESTAMPTZ_UTC_NO_REWRITE_PG = Version(12)

BATCH_SIZE = 10_000

# provolatile = 'v': a new value per row, so PostgreSQL must compute it for every existing row.
VOLATILE_FUNCTIONS = frozenset(
    {
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuidv4",
        "uuidv7",
        "gen_random_bytes",
        "random",
        "random_normal",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "currval",
        "lastval",
        "setval",
    }
)

# Stable or immutable built-ins seen in defaults: evaluated once for the whole ADD COLUMN.
NON_VOLATILE_FUNCTIONS = frozenset(
    {
        "now",
        "transaction_timestamp",
        "statement_timestamp",
        "current_setting",
        "current_date",
        "localtimestamp",
        "current_timestamp",
        "date_trunc",
        "to_timestamp",
        "to_char",
        "to_date",
        "lower",
        "upper",
        "md5",
        "concat",
        "format",
        "encode",
        "substr",
        "coalesce",
        "nullif",
        "greatest",
        "least",
        "jsonb_build_object",
        "json_build_object",
        "jsonb_build_array",
        "json_build_array",
        "array_fill",
        "make_interval",
        "make_date",
        "pg_current_xact_id",
        "txid_current",
        "inet_client_addr",
        "pg_backend_pid",
        "timezone",
        "date_part",
        "extract",
        "age",
        "current_time",
        "localtime",
        "to_jsonb",
        "to_json",
        "jsonb_object",
        "json_object",
        "array_agg",
        "lpad",
        "rpad",
        "replace",
        "trim",
        "btrim",
        "length",
        "abs",
        "round",
        "floor",
        "ceil",
        "uuid_nil",
        "current_user",
        "session_user",
        "current_schema",
        "inet",
        "int4range",
        "int8range",
        "numrange",
        "tstzrange",
        "daterange",
        "make_timestamptz",
        "make_timestamp",
    }
)

# Words followed by "(" in a default that are syntax or type modifiers, not function calls.
NOT_CALLS = frozenset(
    {
        "cast",
        "array",
        "row",
        "numeric",
        "decimal",
        "varchar",
        "varying",
        "char",
        "character",
        "bpchar",
        "timestamp",
        "timestamptz",
        "time",
        "timetz",
        "interval",
        "bit",
        "varbit",
        "float",
        "in",
        "and",
        "or",
        "not",
        "case",
        "when",
        "then",
        "else",
        "as",
        "zone",
    }
)

SERIAL_TYPES = frozenset({"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"})

# PostgreSQL type names, canonical per alias.
_TYPE_ALIASES = {
    "int": "int4",
    "integer": "int4",
    "int4": "int4",
    "smallint": "int2",
    "int2": "int2",
    "bigint": "int8",
    "int8": "int8",
    "character varying": "varchar",
    "varchar": "varchar",
    "character": "bpchar",
    "char": "bpchar",
    "bpchar": "bpchar",
    "decimal": "numeric",
    "numeric": "numeric",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
    "time": "time",
    "time without time zone": "time",
    "timetz": "timetz",
    "time with time zone": "timetz",
    "bit varying": "varbit",
    "varbit": "varbit",
    "double precision": "float8",
    "float8": "float8",
    "real": "float4",
    "float4": "float4",
    "boolean": "bool",
    "bool": "bool",
}

# Changes that only relabel the column (no rewrite, indexes kept), whatever the type modifiers:
# measured on PostgreSQL 15. Modifier-dependent pairs (varchar, numeric, ...) are in _WIDENING.
BINARY_COERCIBLE = frozenset(
    {
        ("varchar", "text"),
        ("text", "varchar*"),  # only to an unconstrained varchar
        ("cidr", "inet"),
        ("xml", "text"),
        ("text", "citext"),
        ("varchar", "citext"),
        ("citext", "text"),
    }
)
# Types whose change of modifier is a no-op when it does not shrink (length, precision, fraction digits).
_WIDENING = frozenset({"varchar", "varbit", "timestamp", "timestamptz", "time", "timetz", "interval"})
# Target types a change to is never a widening of a different type: used when the old type is unknown.
REWRITE_TARGETS = frozenset(
    {"int2", "int4", "int8", "timestamptz", "uuid", "jsonb", "bool", "date", "float4", "float8", "bytea"}
)
# Session time zones with a zero UTC offset all year.
UTC_ZONES = frozenset({"utc", "etc/utc", "gmt", "etc/gmt", "zulu", "etc/zulu", "uct", "etc/uct", "universal"})


@dataclass(frozen=True, slots=True)
class PgType:
    name: str
    modifiers: tuple[int | None, ...] = ()
    array: bool = False


def pg_type(raw: str) -> PgType:
    """A PostgreSQL type's canonical name and numeric modifiers: ``numeric(10,2)`` -> numeric, (10, 2)."""
    text = " ".join(raw.strip().lower().replace('"', "").split())
    array = text.endswith("[]")
    text = text.removesuffix("[]").strip()
    text = text.rsplit(".", 1)[-1] if text.startswith("pg_catalog.") else text
    match = re.match(r"^([a-z_ ]+?)\s*(?:\(([^)]*)\))?\s*((?:with|without) time zone)?$", text)
    if match is None:
        return PgType(text, (), array)
    name = match.group(1).strip()
    if match.group(3):
        name = f"{name} {match.group(3)}"
    mods = tuple(
        int(m) if m.strip().lstrip("-").isdigit() else None for m in (match.group(2) or "").split(",") if m
    )
    return PgType(_TYPE_ALIASES.get(name, name), mods, array)


def relabel_only(old: PgType, new: PgType, utc_session: bool, version: Version | None) -> bool:
    """True when changing a column from ``old`` to ``new`` keeps every stored value as is."""
    if old.array != new.array:
        return False
    if old.name == new.name:
        return _modifiers_widen(old, new)
    if (old.name, new.name) in BINARY_COERCIBLE:
        return True
    if (old.name, new.name + "*") in BINARY_COERCIBLE and not new.modifiers:
        return True
    timestamps = {old.name, new.name} == {"timestamp", "timestamptz"}
    modern = version is None or version >= TIMESTAMPTZ_UTC_NO_REWRITE_PG
    return timestamps and utc_session and modern and _modifiers_widen(old, PgType(old.name, new.modifiers))


def _modifiers_widen(old: PgType, new: PgType) -> bool:
    if old.modifiers == new.modifiers or not new.modifiers:
        return True  # same, or the new type is unconstrained
    if not old.modifiers:
        return False  # unconstrained -> constrained: every value is checked
    if old.name == "numeric":
        old_scale = old.modifiers[1] if len(old.modifiers) > 1 else 0
        new_scale = new.modifiers[1] if len(new.modifiers) > 1 else 0
        return old_scale == new_scale and (new.modifiers[0] or 0) >= (old.modifiers[0] or 0)
    if old.name in _WIDENING:
        return (new.modifiers[0] or 0) >= (old.modifiers[0] or 0)
    return False


def utc_session(step: MigrationStep) -> bool:
    """The migration set the session TimeZone to UTC (SET TIME ZONE 'UTC' / SET timezone = 'UTC')."""
    for name in ("timezone", "time zone", "time_zone"):
        value = step.settings.get(name)
        if value is not None:
            return value.strip().strip("'\"").lower() in UTC_ZONES
    return False


_STRING = re.compile(r"'(?:[^']|'')*'")
_CALL = re.compile(r"([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)\s*\(", re.I)


def function_calls(expression: str) -> list[str]:
    """The functions an expression calls, lower case, schema dropped (string literals ignored)."""
    code = _STRING.sub("''", expression)
    names = [m.group(1).lower().rsplit(".", 1)[-1] for m in _CALL.finditer(code)]
    return [n for n in names if n not in NOT_CALLS]


def volatile_calls(expression: str) -> tuple[list[str], list[str]]:
    """(known volatile calls, calls of unknown volatility) in a default expression.

    A function this table does not know is most likely user-defined, and CREATE FUNCTION makes a
    function VOLATILE unless it says otherwise: the rules treat it as volatile and say so.
    """
    calls = function_calls(expression)
    volatile = [c for c in calls if c in VOLATILE_FUNCTIONS]
    unknown = [c for c in calls if c not in VOLATILE_FUNCTIONS and c not in NON_VOLATILE_FUNCTIONS]
    return volatile, unknown


def is_null_default(default: str | None) -> bool:
    return default is None or default.strip().strip("()").upper() in ("NULL", "NULL::TEXT")


def table_sql(ctx: RuleContext, step: MigrationStep, name: ddl.Name) -> str:
    """A table name for fix SQL, quoted, with its schema when the statement named one."""
    if name.schema:
        return f"{ctx.ident(name.schema)}.{ctx.ident(name.name)}"
    return ctx.ident(name.name)


def key_column(table: Table | None) -> tuple[str, bool]:
    """The single-column primary key to batch on, and whether it is known (else ``id`` is assumed)."""
    if table is not None and table.primary_key is not None and len(table.primary_key.columns) == 1:
        return table.primary_key.columns[0], True
    return "id", False


def batched(ctx: RuleContext, step: MigrationStep, name: ddl.Name, set_sql: str, where: str) -> str:
    """One batch of a backfill by primary-key range, to repeat (committing each) until the end of the table."""
    table = table_sql(ctx, step, name)
    key, _ = key_column(step.table(name))
    k = ctx.ident(key)
    low = ":last_id" if step.engine is Engine.POSTGRES else "@last_id"
    condition = f"{k} > {low} AND {k} <= {low} + {BATCH_SIZE}" + (f" AND ({where})" if where else "")
    return (
        f"-- repeat outside the migration, one transaction per batch, advancing {low[1:]} by {BATCH_SIZE}:\n"
        f"UPDATE {table} SET {set_sql} WHERE {condition};"
    )


def lock_timeout_sql(engine: Engine) -> str:
    return "SET SESSION lock_wait_timeout = 5;" if engine is Engine.MYSQL else "SET lock_timeout = '5s';"


def set_not_null_sql(ctx: RuleContext, step: MigrationStep, name: ddl.Name, column: str) -> str:
    """Make a filled column NOT NULL without a long ACCESS EXCLUSIVE scan (a CHECK validated first)."""
    table = table_sql(ctx, step, name)
    col = ctx.ident(column)
    check = ctx.ident(f"{name.name}_{column}_not_null")
    lines = [
        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;",
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};",
    ]
    if step.version is None or step.version >= SET_NOT_NULL_BY_CHECK_PG:
        lines += [
            f"ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;",
            f"ALTER TABLE {table} DROP CONSTRAINT {check};",
        ]
    return "\n".join(lines)


def column_sql(ctx: RuleContext, spec: ddl.ColumnSpec, raw_type: str | None = None) -> str:
    """``name type`` of a column, nullable and without default."""
    return f"{ctx.ident(spec.name)} {raw_type or spec.raw_type}"


def plain_cast(using: str, column: str, new: PgType) -> bool:
    """``USING col::type`` / ``CAST(col AS type)`` to the new type: what ALTER TYPE does without USING."""
    text = " ".join(using.replace('"', "").split()).lower()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    col = column.lower()
    cast = re.match(rf"^cast\(\s*{re.escape(col)}\s+as\s+(.+)\)$", text) or re.match(
        rf"^\(?{re.escape(col)}\)?\s*::\s*(.+)$", text
    )
    if text == col:
        return True
    return cast is not None and pg_type(cast.group(1)) == new


def rewrite_evidence(step: MigrationStep, **details: object) -> dict[str, object]:
    """Evidence of a statement that rewrites its table under ACCESS EXCLUSIVE, with its own details."""
    return {
        "lock": "ACCESS EXCLUSIVE",
        "blocks": "all reads and writes",
        "rewrite": True,
        **details,
        "in_transaction": step.in_transaction,
    }
