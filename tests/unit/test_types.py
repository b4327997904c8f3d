import pytest

from dbexpert.model import Engine, TypeKind, Version
from dbexpert.model.types import is_serial, normalize_type


@pytest.mark.parametrize(
    ("raw", "engine", "kind", "length"),
    [
        ("character varying(40)", Engine.POSTGRES, TypeKind.VARCHAR, 40),
        ("VARCHAR(36)", Engine.SQLITE, TypeKind.VARCHAR, 36),
        ("character(36)", Engine.POSTGRES, TypeKind.CHAR, 36),
        ("char", Engine.POSTGRES, TypeKind.CHAR, 1),
        ("timestamp without time zone", Engine.POSTGRES, TypeKind.TIMESTAMP, None),
        ("timestamp(3) with time zone", Engine.POSTGRES, TypeKind.TIMESTAMPTZ, None),
        ("timestamptz", Engine.POSTGRES, TypeKind.TIMESTAMPTZ, None),
        ("timestamp", Engine.MYSQL, TypeKind.TIMESTAMPTZ, None),
        ("datetime(6)", Engine.MYSQL, TypeKind.TIMESTAMP, None),
        ("tinyint(1)", Engine.MYSQL, TypeKind.BOOLEAN, None),
        ("tinyint(4)", Engine.MYSQL, TypeKind.SMALLINT, None),
        ("int(11) unsigned", Engine.MYSQL, TypeKind.INTEGER, None),
        ("bigint unsigned", Engine.MYSQL, TypeKind.BIGINT, None),
        ("binary(16)", Engine.MYSQL, TypeKind.BINARY, 16),
        ("double precision", Engine.POSTGRES, TypeKind.FLOAT, None),
        ("integer[]", Engine.POSTGRES, TypeKind.ARRAY, None),
        ("serial", Engine.POSTGRES, TypeKind.INTEGER, None),
        ("jsonb", Engine.POSTGRES, TypeKind.JSONB, None),
        ("money", Engine.POSTGRES, TypeKind.MONEY, None),
        ("STRING", Engine.SQLITE, TypeKind.NUMERIC, None),  # SQLite affinity: no INT/CHAR/BLOB/REAL
        ("", Engine.SQLITE, TypeKind.BINARY, None),
        ("UNSIGNED BIG INT", Engine.SQLITE, TypeKind.INTEGER, None),
        ("geometry", Engine.POSTGRES, TypeKind.OTHER, None),
    ],
)
def test_normalize_type(raw, engine, kind, length):
    normalized = normalize_type(raw, engine)
    assert normalized.kind is kind
    assert normalized.length == length


def test_numeric_precision_and_enum_labels():
    assert normalize_type("numeric(10,2)", Engine.POSTGRES).scale == 2
    labels = normalize_type("enum('new','it''s')", Engine.MYSQL).enum_values
    assert labels == ("new", "it's")
    assert is_serial("bigserial") and not is_serial("bigint")


def test_version_parse_and_order():
    assert Version.parse("15.4 (Debian 15.4-1)") == Version(15, 4, 0)
    assert Version.parse("10.11.6-MariaDB-0+deb12u1") == Version(10, 11, 6)
    assert Version(15) >= Version(10) and Version(9, 6) < Version(10)
    with pytest.raises(ValueError):
        Version.parse("beta")
