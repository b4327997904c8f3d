from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbexpert.model import InputError
from dbexpert.sources.migrations._files import scan_statements
from dbexpert.sources.migrations.layouts import Discovery, discover
from tests.sources.migrations.conftest import Layout


def test_raw_sql_in_natural_order_without_transactions(layout: Layout) -> None:
    root = layout({"sql/10_c.sql": "SELECT 3;", "sql/2_b.sql": "SELECT 2;", "sql/1_a.sql": "SELECT 1;"})
    found = discover([root / "sql"])
    assert isinstance(found, Discovery)
    assert [m.id for m in found.migrations] == ["1_a", "2_b", "10_c"]
    assert [(m.tool, m.transactional) for m in found.migrations] == [("sql", False)] * 3


def test_transaction_override_applies_to_every_migration(layout: Layout) -> None:
    root = layout({"V1__a.sql": "CREATE TABLE t (id int);", "V2__b.sql": "VACUUM t;"})
    assert [m.transactional for m in discover([root], transaction="always").migrations] == [True, True]
    assert [m.transactional for m in discover([root], transaction="never").migrations] == [False, False]


def test_bad_options_are_input_errors(layout: Layout) -> None:
    root = layout({"a.sql": "SELECT 1;"})
    with pytest.raises(InputError, match="unknown migration tool"):
        discover([root], tool="liquibase")
    with pytest.raises(InputError, match="unknown transaction mode"):
        discover([root], transaction="sometimes")
    with pytest.raises(InputError, match="no such file"):
        discover([root / "missing"])


def test_non_utf8_file_is_an_input_error_naming_it(layout: Layout) -> None:
    root = layout({"V1__a.sql": b"SELECT '\xff';"})
    with pytest.raises(InputError, match=r"V1__a\.sql:1:1: not UTF-8"):
        discover([root])


def test_byte_order_mark_is_dropped(layout: Layout) -> None:
    root = layout({"a.sql": "\ufeffSELECT 1;"})
    assert discover([root]).migrations[0].up.text == "SELECT 1;"


def test_code_files_that_are_no_known_migration_are_reported_not_read(layout: Layout) -> None:
    root = layout(
        {
            "alembic/env.py": "",
            "alembic/versions/abc123_add.py": "revision = 'abc123'",
            "app/migrations/0001_initial.py": "",
            "app/migrations/__init__.py": "",
            "src/migrations/1700000000000-Init.ts": "export class Init {}",
            "src/app.ts": "",
            "db/V1__a.sql": "SELECT 1;",
        }
    )
    found = discover([root])
    assert [m.id for m in found.migrations] == ["V1__a"]
    reasons = dict(found.skipped)
    neither = "Python file in a migrations folder that is neither an Alembic revision nor a Django migration"
    assert reasons == {
        str(root / "alembic/versions/abc123_add.py"): neither,  # no down_revision: not a revision
        str(root / "app/migrations/0001_initial.py"): neither,  # no Migration class
        str(root / "src/migrations/1700000000000-Init.ts"): (
            "TypeScript file that is not a TypeORM migration (MigrationInterface): other tools are not supported"
        ),
    }


def test_folders_of_different_tools_under_one_path(layout: Layout) -> None:
    root = layout(
        {
            "a_flyway/V1__a.sql": "SELECT 1;",
            "b_golang/1_b.up.sql": "SELECT 2;",
            "c_prisma/migration_lock.toml": 'provider = "postgresql"',
            "c_prisma/1_c/migration.sql": "SELECT 3;",
        }
    )
    found = discover([root])
    assert [(m.id, m.tool) for m in found.migrations] == [
        ("V1__a", "flyway"),
        ("1_b", "golang-migrate"),
        ("1_c", "prisma"),
    ]


def test_paths_keep_their_argument_order(layout: Layout) -> None:
    root = layout({"x/b.sql": "SELECT 1;", "y/a.sql": "SELECT 2;"})
    assert [m.id for m in discover([root / "y", root / "x"]).migrations] == ["a", "b"]


def test_statement_scanner_ignores_semicolons_in_strings_comments_and_bodies() -> None:
    text = (
        "-- one; two\n"
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
        "/* a; /* nested; */ b; */ INSERT INTO t VALUES ('x;y', E'it\\'s;');\n"
        'SELECT "a;b" FROM t\n'
    )
    statements = scan_statements(text)
    assert [s.line for s in statements] == [2, 3, 4]
    assert statements[0].simplified.startswith("CREATE FUNCTION F() RETURNS INT AS ''")
    assert scan_statements("  \n-- only a comment\n") == []


def test_scanner_never_raises_on_unterminated_input() -> None:
    for text in ("'open", '"open', "$$ open", "/* open", "E'\\"):
        scan_statements(text)


def test_unreadable_path_component(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        discover([tmp_path / "nope.sql"])


@given(st.text(alphabet="ab;'\"$-/*\n E\\`", max_size=60))
def test_scanner_survives_any_text(text: str) -> None:
    for statement in scan_statements(text):
        assert statement.line >= 1 and statement.simplified
