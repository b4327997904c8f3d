from __future__ import annotations

import pytest

from dbexpert.model import InputError
from dbexpert.sources.migrations.layouts import discover
from dbexpert.sources.migrations.steps import _padded
from tests.sources.migrations.conftest import Layout


def test_golang_migrate_orders_by_version_and_pairs_downs(layout: Layout) -> None:
    root = layout(
        {
            "m/10_ten.up.sql": "CREATE TABLE ten (id int);\nCREATE INDEX ON ten (id);",
            "m/10_ten.down.sql": "DROP TABLE ten;",
            "m/2_two.up.sql": "CREATE INDEX CONCURRENTLY i ON t (id);",
            "m/20240101120000_stamp.up.sql": "ALTER TABLE t ADD COLUMN x int;",
            "m/1_one.up.sql": "CREATE TABLE t (id int);",
            "m/1_one.down.sql": "DROP TABLE t;",
            "m/3_gone.down.sql": "DROP TABLE gone;",
        }
    )
    found = discover([root / "m"])
    assert [m.id for m in found.migrations] == ["1_one", "2_two", "10_ten", "20240101120000_stamp"]
    assert {m.tool for m in found.migrations} == {"golang-migrate"}
    one, two, ten, stamp = found.migrations
    assert one.down is not None and one.down.text == "DROP TABLE t;"
    assert two.down is None
    # One Exec: several statements share an implicit transaction; a single statement stands alone.
    assert ten.transactional and not two.transactional and not stamp.transactional
    assert found.skipped == (
        (str(root / "m/3_gone.down.sql"), "down migration without an up migration for version 3"),
    )


def test_golang_migrate_duplicate_version_is_an_error(layout: Layout) -> None:
    root = layout({"1_a.up.sql": "SELECT 1;", "01_b.up.sql": "SELECT 2;"})
    with pytest.raises(InputError, match="duplicate up migration for version 1"):
        discover([root])


def test_golang_up_file_given_alone_finds_its_down(layout: Layout) -> None:
    root = layout({"1_a.up.sql": "SELECT 1;", "1_a.down.sql": "SELECT 2;", "2_b.up.sql": "SELECT 3;"})
    (migration,) = discover([root / "1_a.up.sql"]).migrations
    assert migration.down is not None and migration.down.path == str(root / "1_a.down.sql")


DBMATE = """\
-- a comment before the blocks is allowed

-- migrate:up
CREATE TABLE t (id int);
CREATE INDEX i ON t (id);

-- migrate:down
DROP TABLE t;
"""

DBMATE_NO_TX = """\
-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY j ON t (id);
-- migrate:down transaction:false
DROP INDEX CONCURRENTLY j;
"""


def test_dbmate_sections_keep_their_lines_and_transactions(layout: Layout) -> None:
    root = layout(
        {
            "db/migrations/20240102000000_index.sql": DBMATE_NO_TX,
            "db/migrations/20240101000000_create.sql": DBMATE,
            "db/migrations/20240103000000_broken.sql": "CREATE TABLE x (id int);\n",
        }
    )
    found = discover([root / "db"])
    create, index = found.migrations
    assert [create.id, index.id] == ["20240101000000_create", "20240102000000_index"]
    assert create.tool == "dbmate" and create.transactional and not index.transactional
    assert "transaction:false" in index.description
    assert create.up.line_offset == 3
    assert create.up.text.startswith("CREATE TABLE t")
    assert "DROP" not in create.up.text
    lines = DBMATE.splitlines()
    assert lines[create.up.line_offset] == "CREATE TABLE t (id int);"
    assert create.down is not None and create.down.line_offset == 7
    assert lines[create.down.line_offset] == "DROP TABLE t;"
    # steps.py pads the script so statement lines are the file's lines.
    assert _padded(create.up).splitlines()[4] == "CREATE INDEX i ON t (id);"
    assert index.up.line_offset == 1 and index.down is not None and index.down.line_offset == 3
    assert found.skipped == (
        (
            str(root / "db/migrations/20240103000000_broken.sql"),
            "no '-- migrate:up' block: dbmate refuses the file",
        ),
    )


def test_dbmate_down_before_up_and_statements_outside_blocks(layout: Layout) -> None:
    root = layout(
        {
            "1_swap.sql": "-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t (id int);\n",
            "2_stray.sql": "SELECT 1;\n-- migrate:up\nSELECT 2;\n",
            "3_down_only.sql": "-- migrate:down\nDROP TABLE t;\n",
        }
    )
    found = discover([root], tool="dbmate")
    (swap,) = found.migrations
    assert swap.up.text == "CREATE TABLE t (id int);\n" and swap.up.line_offset == 3
    assert swap.down is not None and swap.down.text == "DROP TABLE t;\n" and swap.down.line_offset == 1
    reasons = dict(found.skipped)
    assert "statements before" in reasons[str(root / "2_stray.sql")]
    assert "down block without an up block" in reasons[str(root / "3_down_only.sql")]
