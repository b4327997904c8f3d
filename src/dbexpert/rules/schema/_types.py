"""What several type rules share: integer limits, UUIDs kept in text columns, and the
add-backfill-swap steps that change a column's type where ``ALTER COLUMN ... TYPE`` cannot.

Not a rule (the leading underscore keeps the registry away). Pure functions over the model.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from dbexpert.model import Column, TypeKind
from dbexpert.rules.schema._names import words

# Largest value of each integer type: (signed, unsigned). MySQL spells the small ones differently.
_TYPE_MAX: dict[str, tuple[int, int]] = {
    "tinyint": (2**7 - 1, 2**8 - 1),
    "smallint": (2**15 - 1, 2**16 - 1),
    "mediumint": (2**23 - 1, 2**24 - 1),
    "integer": (2**31 - 1, 2**32 - 1),
    "bigint": (2**63 - 1, 2**64 - 1),
}
_KIND_TYPE = {TypeKind.SMALLINT: "smallint", TypeKind.INTEGER: "integer", TypeKind.BIGINT: "bigint"}
# The integer type behind each PostgreSQL serial pseudo-type (what a referencing column declares).
_SERIAL_BASE = {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}

_UUID_DEFAULT = re.compile(r"gen_random_uuid|uuid_generate_v|uuidv[47]|\buuid\s*\(", re.IGNORECASE)
# Text types wide enough for a UUID and no wider than one needs (None: unbounded).
_UUID_TEXT_LENGTHS: dict[TypeKind, Collection[int | None]] = {
    TypeKind.TEXT: {None},
    TypeKind.VARCHAR: {None, 32, 36},
    TypeKind.CHAR: {32, 36},
}


def column_max(column: Column) -> int | None:
    """The largest value an integer column can hold, honouring MySQL's UNSIGNED and small types."""
    base = column.raw_type.strip().lower().split("(")[0].split(" ")[0]
    name = base if base in ("tinyint", "mediumint") else _KIND_TYPE.get(column.kind)
    if name is None:
        return None
    return _TYPE_MAX[name][1 if is_unsigned(column) else 0]


def is_unsigned(column: Column) -> bool:
    return bool(column.attrs.get("unsigned")) or "unsigned" in column.raw_type.lower()


def serial_base(raw_type: str) -> str:
    """The type a column referencing a key of ``raw_type`` needs: ``serial`` -> ``integer``."""
    return _SERIAL_BASE.get(raw_type.lower(), raw_type)


def named_like_uuid(column: Column) -> bool:
    """``uuid``, ``guid``, ``device_uuid``, ``deviceGuid``: a word of the name is uuid or guid."""
    return bool({"uuid", "guid"} & set(words(column.name)))


def uuid_default(column: Column) -> bool:
    """The column's default generates UUIDs."""
    return bool(_UUID_DEFAULT.search(column.default or ""))


def uuid_as_text(column: Column) -> bool:
    """A text column holding UUIDs by its name or default: what ``uuid-stored-as-text`` reports."""
    if column.length not in _UUID_TEXT_LENGTHS.get(column.kind, ()):
        return False
    return named_like_uuid(column) or uuid_default(column)


def backfill_sql(table: str, new: str, new_type: str, value: str, then: str) -> str:
    """Add ``new``, fill it from the old column's ``value`` and say what ``then`` remains to do."""
    return "\n".join(
        [
            f"ALTER TABLE {table} ADD COLUMN {new} {new_type};",
            f"UPDATE {table} SET {new} = {value};",
            f"-- once readers use {new}: {then}",
        ]
    )
