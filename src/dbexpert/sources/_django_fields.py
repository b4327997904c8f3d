"""Django's model fields as database columns: the type each backend creates, and Django's names.

Shared by the Django migration reader (``sources/migrations/django.py``) and the Django models
reader (``sources/orm/django.py``). The types are the ``data_types`` of Django's backends
(``django/db/backends/{postgresql,mysql,sqlite3}/base.py``); ``index_name`` is the schema
editor's ``_create_index_name``; ``q_condition`` is the SQL of a ``Q(...)`` object.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Sequence

from dbexpert.model import Engine
from dbexpert.sources.migrations import _pyast as py
from dbexpert.sources.migrations._code import NotUnderstood, literal

# Field class -> PostgreSQL column type (fields with a length or precision are below).
TYPES = {
    "AutoField": "integer",
    "BigAutoField": "bigint",
    "SmallAutoField": "smallint",
    "BinaryField": "bytea",
    "BooleanField": "boolean",
    "NullBooleanField": "boolean",
    "DateField": "date",
    "DateTimeField": "timestamp with time zone",
    "DurationField": "interval",
    "FloatField": "double precision",
    "IntegerField": "integer",
    "BigIntegerField": "bigint",
    "SmallIntegerField": "smallint",
    "PositiveIntegerField": "integer",
    "PositiveBigIntegerField": "bigint",
    "PositiveSmallIntegerField": "smallint",
    "GenericIPAddressField": "inet",
    "IPAddressField": "inet",
    "TextField": "text",
    "TimeField": "time",
    "UUIDField": "uuid",
    "JSONField": "jsonb",
    "CICharField": "citext",
    "CIEmailField": "citext",
    "CITextField": "citext",
    "SearchVectorField": "tsvector",
}

# The MySQL and SQLite spellings where they differ from PostgreSQL's.
BACKEND_TYPES: dict[Engine, dict[str, str]] = {
    Engine.MYSQL: {
        "BinaryField": "longblob",
        "BooleanField": "bool",
        "NullBooleanField": "bool",
        "DateTimeField": "datetime(6)",
        "DurationField": "bigint",
        "PositiveIntegerField": "integer unsigned",
        "PositiveBigIntegerField": "bigint unsigned",
        "PositiveSmallIntegerField": "smallint unsigned",
        "GenericIPAddressField": "char(39)",
        "IPAddressField": "char(15)",
        "TextField": "longtext",
        "TimeField": "time(6)",
        "UUIDField": "char(32)",
        "JSONField": "json",
    },
    Engine.SQLITE: {
        "AutoField": "integer",
        "BigAutoField": "integer",
        "SmallAutoField": "integer",
        "BinaryField": "BLOB",
        "BooleanField": "bool",
        "NullBooleanField": "bool",
        "DateTimeField": "datetime",
        "DurationField": "bigint",
        "FloatField": "real",
        "PositiveIntegerField": "integer unsigned",
        "PositiveBigIntegerField": "bigint unsigned",
        "PositiveSmallIntegerField": "smallint unsigned",
        "GenericIPAddressField": "char(39)",
        "IPAddressField": "char(15)",
        "UUIDField": "char(32)",
        "JSONField": "text",
    },
}

# Character fields -> their default max_length (CharField has none: it is required).
VARCHAR = {"CharField": None, "SlugField": 50, "EmailField": 254, "URLField": 200, "FileField": 100,
           "ImageField": 100, "FilePathField": 100}  # fmt: skip
AUTO = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
RELATIONS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})


def column_type(kind: str, engine: Engine = Engine.POSTGRES) -> str | None:
    """The column type ``kind`` (a field class without a length) creates on ``engine``; None if unknown."""
    return BACKEND_TYPES.get(engine, {}).get(kind) or TYPES.get(kind)


def _digest(*args: str, length: int = 8) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for arg in args:
        digest.update(arg.encode())
    return digest.hexdigest()[:length]


def index_name(table: str, columns: Sequence[str], suffix: str = "") -> str:
    """The name Django's schema editor gives an index or constraint (``_create_index_name``)."""
    hash_part = _digest(table, *columns) + suffix
    name = f"{table}_{'_'.join(columns)}_{hash_part}"
    if len(name) <= 63:
        return name
    if len(hash_part) > 63 // 3:
        hash_part = hash_part[: 63 // 3]
    other = (63 - len(hash_part)) // 2 - 1
    name = f"{table[:other]}_{'_'.join(columns)[:other]}_{hash_part}"
    return "D" + name[:-1] if name[0] == "_" or name[0].isdigit() else name


_LOOKUPS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def q_condition(node: ast.expr, env: py.Env, column: Callable[[str], str]) -> str:
    """SQL of a ``Q(...)`` condition: field lookups joined by AND, ``&``, ``|``, ``~``; ``column``
    gives the quoted column of a field name. Raises NotUnderstood for anything else."""
    node = py.resolve(node, env)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        joiner = " AND " if isinstance(node.op, ast.BitAnd) else " OR "
        return f"({q_condition(node.left, env, column)}{joiner}{q_condition(node.right, env, column)})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        return f"NOT ({q_condition(node.operand, env, column)})"
    if not (isinstance(node, ast.Call) and py.last(node) == "Q"):
        raise NotUnderstood(f"condition {ast.unparse(node)[:40]}")
    terms = [q_condition(arg, env, column) for arg in node.args]
    for keyword in node.keywords:
        if keyword.arg is None:
            raise NotUnderstood("Q(**kwargs)")
        name, _, lookup = keyword.arg.partition("__")
        quoted = column(name)
        found = py.value(keyword.value, env)
        if lookup == "isnull":
            terms.append(f"{quoted} IS {'' if found else 'NOT '}NULL")
        elif lookup == "in":
            terms.append(f"{quoted} IN ({', '.join(literal(v) for v in found)})")
        elif (lookup or "exact") in _LOOKUPS:
            terms.append(f"{quoted} {_LOOKUPS[lookup or 'exact']} {literal(found)}")
        else:
            raise NotUnderstood(f"lookup {lookup}")
    joined = " AND ".join(terms)
    return f"({joined})" if len(terms) > 1 else joined
