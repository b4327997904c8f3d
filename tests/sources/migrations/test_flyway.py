from __future__ import annotations

from pathlib import Path

import pytest

from dbexpert.model import InputError
from dbexpert.sources.migrations.layouts import discover
from tests.sources.migrations.conftest import Layout

TABLE = "CREATE TABLE t (id int);\n"


def test_versions_compare_numerically_and_repeatables_come_last(layout: Layout) -> None:
    root = layout(
        {
            "db/V2__second.sql": TABLE,
            "db/V1.10__ten.sql": TABLE,
            "db/V1__first.sql": TABLE,
            "db/V1_1__one_one.sql": TABLE,
            "db/R__b_view.sql": "CREATE OR REPLACE VIEW b AS SELECT 1;",
            "db/R__a_view.sql": "CREATE OR REPLACE VIEW a AS SELECT 1;",
            "db/nested/V1.2__deeper.sql": TABLE,
            "db/README.sql": "-- notes",
        }
    )
    found = discover([root / "db"])
    assert [m.id for m in found.migrations] == [
        "V1__first",
        "V1_1__one_one",
        "V1.2__deeper",
        "V1.10__ten",
        "V2__second",
        "R__a_view",
        "R__b_view",
    ]
    assert {m.tool for m in found.migrations} == {"flyway"}
    assert found.migrations[1].description == "one one"
    assert [p for p, _ in found.skipped] == [str(root / "db/README.sql")]


def test_undo_pairs_with_its_version_and_an_orphan_undo_is_skipped(layout: Layout) -> None:
    root = layout(
        {
            "V1__a.sql": TABLE,
            "U1__a.sql": "DROP TABLE t;",
            "V2__b.sql": TABLE,
            "U3__c.sql": "DROP TABLE c;",
        }
    )
    found = discover([root])
    first, second = found.migrations
    assert first.down is not None and first.down.path == str(root / "U1__a.sql")
    assert first.down.text == "DROP TABLE t;"
    assert second.down is None
    assert found.skipped == ((str(root / "U3__c.sql"), "undo without a versioned migration V3"),)


def test_each_migration_is_transactional_unless_flyway_detects_a_statement_that_cannot_be(
    layout: Layout,
) -> None:
    root = layout(
        {
            "V1__plain.sql": TABLE + "ALTER TABLE t ADD COLUMN x int;",
            "V2__concurrent.sql": "-- build it online\ncreate  index\n concurrently i on t (id);",
            "V3__vacuum.sql": "VACUUM t;",
            "V4__mixed.sql": "SET lock_timeout = '1s';\nDROP INDEX CONCURRENTLY i;",
            "V5__enum.sql": "ALTER TYPE mood ADD VALUE 'meh';",
            "V6__reindex.sql": "REINDEX INDEX CONCURRENTLY i;",
            "V7__quoted.sql": "INSERT INTO notes VALUES ('VACUUM; CREATE INDEX CONCURRENTLY x');",
        }
    )
    by_id = {m.id: m for m in discover([root]).migrations}
    assert by_id["V1__plain"].transactional
    assert not by_id["V2__concurrent"].transactional
    assert "line 2" in by_id["V2__concurrent"].description
    assert not by_id["V3__vacuum"].transactional
    assert not by_id["V4__mixed"].transactional
    assert "mixed=true" in by_id["V4__mixed"].description
    assert by_id["V5__enum"].transactional  # PostgreSQL 12+ adds enum values in a transaction
    assert by_id["V6__reindex"].transactional  # not on Flyway's list: it fails inside the transaction
    assert by_id["V7__quoted"].transactional
    old = {m.id: m for m in discover([root], pg_version=11).migrations}
    assert not old["V5__enum"].transactional


def test_script_configuration_turns_the_transaction_off(layout: Layout) -> None:
    root = layout(
        {
            "V1__a.sql": TABLE,
            "V1__a.sql.conf": "# no transaction\nexecuteInTransaction=false\n",
            "V2__b.sql": "-- flyway:executeInTransaction=false\n" + TABLE,
            "V3__c.sql": TABLE,
            "V3__c.sql.conf": "executeInTransaction=true\n",
        }
    )
    assert [m.transactional for m in discover([root]).migrations] == [False, False, True]


def test_baseline_replaces_the_versions_it_covers(layout: Layout) -> None:
    root = layout({"V1__a.sql": TABLE, "V2__b.sql": TABLE, "B2__base.sql": TABLE, "V3__c.sql": TABLE})
    found = discover([root])
    assert [m.id for m in found.migrations] == ["B2__base", "V3__c"]
    assert sorted(p for p, _ in found.skipped) == [str(root / "V1__a.sql"), str(root / "V2__b.sql")]


def test_duplicate_versions_are_an_input_error(layout: Layout) -> None:
    root = layout({"V1__a.sql": TABLE, "V1.0__b.sql": TABLE})
    with pytest.raises(InputError, match="more than one migration with version"):
        discover([root])


def test_a_versioned_file_given_alone_keeps_its_undo(layout: Layout) -> None:
    root = layout({"V1__a.sql": TABLE, "U1__a.sql": "DROP TABLE t;", "V2__b.sql": TABLE})
    found = discover([root / "V1__a.sql"])
    assert [m.id for m in found.migrations] == ["V1__a"]
    assert found.migrations[0].down is not None
    undo = discover([root / "U1__a.sql"])
    assert undo.migrations == () and "V1__a" in undo.skipped[0][1]


def test_forced_tool_reads_names_as_flyway(layout: Layout) -> None:
    root = layout({"V1__a.sql": TABLE, "notes.sql": "SELECT 1;"})
    assert [m.tool for m in discover([root], tool="sql").migrations] == ["sql", "sql"]
    found = discover([root], tool="flyway")
    assert [m.id for m in found.migrations] == ["V1__a"]
    assert found.skipped[0][0] == str(Path(root / "notes.sql"))
