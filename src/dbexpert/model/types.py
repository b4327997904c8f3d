"""Normalize an engine's type spelling into a :class:`TypeKind` plus length/precision/scale.

One function for every engine and source, so a live PostgreSQL ``character varying(40)``, a DDL
``VARCHAR(40)`` and an ORM ``String(40)`` mapped to SQL all become ``TypeKind.VARCHAR, 40``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbexpert.model.catalog import Engine, TypeKind


@dataclass(frozen=True, slots=True)
class NormalizedType:
    kind: TypeKind
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum_values: tuple[str, ...] = ()


_TYPE_RE = re.compile(r"^(?P<base>[^(]*)(\((?P<args>[^)]*)\))?(?P<rest>.*)$", re.S)

# Exact base names (lower-case, whitespace collapsed) -> kind. Engine-specific overrides below.
_COMMON: dict[str, TypeKind] = {
    "smallint": TypeKind.SMALLINT,
    "int2": TypeKind.SMALLINT,
    "smallserial": TypeKind.SMALLINT,
    "serial2": TypeKind.SMALLINT,
    "tinyint": TypeKind.SMALLINT,
    "mediumint": TypeKind.INTEGER,
    "integer": TypeKind.INTEGER,
    "int": TypeKind.INTEGER,
    "int4": TypeKind.INTEGER,
    "serial": TypeKind.INTEGER,
    "serial4": TypeKind.INTEGER,
    "bigint": TypeKind.BIGINT,
    "int8": TypeKind.BIGINT,
    "bigserial": TypeKind.BIGINT,
    "serial8": TypeKind.BIGINT,
    "numeric": TypeKind.NUMERIC,
    "decimal": TypeKind.NUMERIC,
    "dec": TypeKind.NUMERIC,
    "fixed": TypeKind.NUMERIC,
    "real": TypeKind.FLOAT,
    "float": TypeKind.FLOAT,
    "float4": TypeKind.FLOAT,
    "float8": TypeKind.FLOAT,
    "double": TypeKind.FLOAT,
    "double precision": TypeKind.FLOAT,
    "money": TypeKind.MONEY,
    "boolean": TypeKind.BOOLEAN,
    "bool": TypeKind.BOOLEAN,
    "char": TypeKind.CHAR,
    "character": TypeKind.CHAR,
    "bpchar": TypeKind.CHAR,
    "nchar": TypeKind.CHAR,
    "national char": TypeKind.CHAR,
    "national character": TypeKind.CHAR,
    "varchar": TypeKind.VARCHAR,
    "character varying": TypeKind.VARCHAR,
    "nvarchar": TypeKind.VARCHAR,
    "varchar2": TypeKind.VARCHAR,
    "national varchar": TypeKind.VARCHAR,
    "text": TypeKind.TEXT,
    "tinytext": TypeKind.TEXT,
    "mediumtext": TypeKind.TEXT,
    "longtext": TypeKind.TEXT,
    "citext": TypeKind.TEXT,
    "clob": TypeKind.TEXT,
    "uuid": TypeKind.UUID,
    "uniqueidentifier": TypeKind.UUID,
    "bytea": TypeKind.BINARY,
    "binary": TypeKind.BINARY,
    "varbinary": TypeKind.BINARY,
    "blob": TypeKind.BINARY,
    "tinyblob": TypeKind.BINARY,
    "mediumblob": TypeKind.BINARY,
    "longblob": TypeKind.BINARY,
    "date": TypeKind.DATE,
    "time": TypeKind.TIME,
    "timetz": TypeKind.TIME,
    "time without time zone": TypeKind.TIME,
    "time with time zone": TypeKind.TIME,
    "timestamp": TypeKind.TIMESTAMP,
    "timestamp without time zone": TypeKind.TIMESTAMP,
    "timestamptz": TypeKind.TIMESTAMPTZ,
    "timestamp with time zone": TypeKind.TIMESTAMPTZ,
    "datetime": TypeKind.TIMESTAMP,
    "datetime2": TypeKind.TIMESTAMP,
    "smalldatetime": TypeKind.TIMESTAMP,
    "interval": TypeKind.INTERVAL,
    "json": TypeKind.JSON,
    "jsonb": TypeKind.JSONB,
    "enum": TypeKind.ENUM,
}

_MYSQL: dict[str, TypeKind] = {
    # MySQL TIMESTAMP is stored as UTC and converted with the session time zone: an instant.
    "timestamp": TypeKind.TIMESTAMPTZ,
    "bit": TypeKind.OTHER,
    "year": TypeKind.OTHER,
    "set": TypeKind.OTHER,
}

_SERIAL = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


def _args(text: str | None) -> list[str]:
    if not text:
        return []
    return [a.strip() for a in text.split(",") if a.strip()]


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _enum_labels(args_text: str) -> tuple[str, ...]:
    return tuple(m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", args_text))


def is_serial(raw_type: str) -> bool:
    """True for PostgreSQL's serial pseudo-types (which create a sequence and a default)."""
    return raw_type.strip().lower() in _SERIAL


def normalize_type(raw_type: str, engine: Engine) -> NormalizedType:
    """Map a type's text, as the engine or the DDL spells it, to a normalized type."""
    text = " ".join(raw_type.strip().lower().split())
    if engine is Engine.MYSQL and text.startswith(("enum(", "enum (")):
        inner = raw_type[raw_type.index("(") + 1 : raw_type.rindex(")")]
        return NormalizedType(TypeKind.ENUM, enum_values=_enum_labels(inner))
    if text.endswith("[]") or (engine is Engine.POSTGRES and text.startswith("_")):
        return NormalizedType(TypeKind.ARRAY)
    match = _TYPE_RE.match(text)
    if not match:
        return NormalizedType(TypeKind.OTHER)
    base = match.group("base").strip().removeprefix("pg_catalog.").removeprefix("public.")
    args = _args(match.group("args"))
    rest = match.group("rest").strip()
    if rest.startswith(("with time zone", "without time zone")):
        base = f"{base} {rest}"
    base = base.replace(" unsigned", "").replace(" zerofill", "").replace(" signed", "").strip()
    if engine is Engine.MYSQL and base == "tinyint" and args == ["1"]:
        return NormalizedType(TypeKind.BOOLEAN)
    if engine is Engine.MYSQL and base == "bit" and args in ([], ["1"]):
        return NormalizedType(TypeKind.BOOLEAN)
    kind = (_MYSQL.get(base) if engine is Engine.MYSQL else None) or _COMMON.get(base)
    if kind is None and engine is Engine.SQLITE:
        kind = _sqlite_affinity(base)
    if kind is None:
        return NormalizedType(TypeKind.OTHER)
    if kind in (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.BINARY):
        length = _int(args[0]) if args else None
        if kind is TypeKind.CHAR and length is None and engine is not Engine.SQLITE and base != "bpchar":
            length = 1  # CHAR without a length is CHAR(1) in PostgreSQL and MySQL
        return NormalizedType(kind, length=length)
    if kind is TypeKind.NUMERIC:
        precision = _int(args[0]) if args else None
        scale = _int(args[1]) if len(args) > 1 else (0 if precision is not None else None)
        return NormalizedType(kind, precision=precision, scale=scale)
    if kind is TypeKind.FLOAT and args:
        return NormalizedType(kind, precision=_int(args[0]))
    return NormalizedType(kind)


def _sqlite_affinity(base: str) -> TypeKind:
    """SQLite's type-affinity rules (datatype3.html § 3.1) for names not known above."""
    if "int" in base:
        return TypeKind.INTEGER
    if "char" in base or "clob" in base or "text" in base:
        return TypeKind.TEXT
    if "blob" in base or not base:
        return TypeKind.BINARY
    if "real" in base or "floa" in base or "doub" in base:
        return TypeKind.FLOAT
    return TypeKind.NUMERIC
