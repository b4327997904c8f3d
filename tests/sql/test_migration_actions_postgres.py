"""PostgreSQL statements that matter to migration safety -> exact DDL actions."""

from __future__ import annotations

import pytest

from dbexpert.model import Engine
from dbexpert.sql import ddl
from dbexpert.sql.ddl_actions import ddl_actions
from dbexpert.sql.parse import split_statements

N = ddl.Name


def actions(sql: str) -> list[ddl.Action]:
    return [
        action for statement in split_statements(sql, Engine.POSTGRES) for action in ddl_actions(statement)
    ]


def _unplaced(action: ddl.Action) -> ddl.Action:
    """The action without source positions, to compare with a literal."""
    if isinstance(action, ddl.AddColumn):
        column = action.column
        specs = tuple(ddl.ConstraintSpec(**{**_fields(c), "position": None}) for c in column.constraints)
        column = ddl.ColumnSpec(**{**_fields(column), "position": None, "constraints": specs})
        return ddl.AddColumn(action.table, column, action.if_not_exists)
    if isinstance(action, ddl.AddConstraint):
        return ddl.AddConstraint(
            action.table, ddl.ConstraintSpec(**{**_fields(action.constraint), "position": None})
        )
    return action


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}  # type: ignore[attr-defined]


CASES: list[tuple[str, list[ddl.Action]]] = [
    ("BEGIN", [ddl.TransactionControl("begin")]),
    ("START TRANSACTION", [ddl.TransactionControl("begin")]),
    ("COMMIT", [ddl.TransactionControl("commit")]),
    ("END", [ddl.TransactionControl("commit")]),
    ("ROLLBACK", [ddl.TransactionControl("rollback")]),
    ("ROLLBACK TO SAVEPOINT before_backfill", []),
    ("SET lock_timeout = '3s'", [ddl.SetSetting("lock_timeout", "3s")]),
    ("SET SESSION Statement_Timeout TO 60000", [ddl.SetSetting("statement_timeout", "60000")]),
    ("SET LOCAL lock_timeout = '1s'", [ddl.SetSetting("lock_timeout", "1s", local=True)]),
    ("RESET lock_timeout", [ddl.SetSetting("lock_timeout", None)]),
    ("SET statement_timeout TO DEFAULT", [ddl.SetSetting("statement_timeout", None)]),
    ("REINDEX INDEX idx_orders_state", [ddl.Reindex("index", N("idx_orders_state"))]),
    ("REINDEX INDEX CONCURRENTLY idx_a", [ddl.Reindex("index", N("idx_a"), concurrently=True)]),
    ("REINDEX (CONCURRENTLY) INDEX idx_a", [ddl.Reindex("index", N("idx_a"), concurrently=True)]),
    ("REINDEX TABLE app.orders", [ddl.Reindex("table", N("orders", "app"))]),
    ("REINDEX SCHEMA CONCURRENTLY app", [ddl.Reindex("schema", N("app"), concurrently=True)]),
    ("REINDEX DATABASE shop", [ddl.Reindex("database", N("shop"))]),
    ("VACUUM FULL orders", [ddl.Rewrite("VACUUM FULL", (N("orders"),))]),
    ("VACUUM (FULL, VERBOSE) orders, items", [ddl.Rewrite("VACUUM FULL", (N("orders"), N("items")))]),
    ("VACUUM FULL", [ddl.Rewrite("VACUUM FULL", ())]),
    ("VACUUM orders", []),
    ("VACUUM (FULL false) orders", []),
    ("ANALYZE orders", []),
    ("CLUSTER orders USING orders_pkey", [ddl.Rewrite("CLUSTER", (N("orders"),))]),
    ("CLUSTER orders", [ddl.Rewrite("CLUSTER", (N("orders"),))]),
    ("ALTER TABLE orders SET LOGGED", [ddl.Rewrite("SET LOGGED", (N("orders"),))]),
    ("ALTER TABLE orders SET UNLOGGED", [ddl.Rewrite("SET UNLOGGED", (N("orders"),))]),
    ("LOCK orders", [ddl.LockTable((N("orders"),), "ACCESS EXCLUSIVE")]),
    ("LOCK TABLE a, s.b IN SHARE MODE", [ddl.LockTable((N("a"), N("b", "s")), "SHARE")]),
    ("LOCK TABLE a IN ROW EXCLUSIVE MODE NOWAIT", [ddl.LockTable((N("a"),), "ROW EXCLUSIVE")]),
    ("TRUNCATE orders", [ddl.Truncate((N("orders"),))]),
    ("TRUNCATE TABLE a, b CASCADE", [ddl.Truncate((N("a"), N("b")), cascade=True)]),
    ("UPDATE users SET tier = 'gold' WHERE tier IS NULL", [ddl.DataChange("update", N("users"), True)]),
    ("UPDATE users SET tier = 'gold'", [ddl.DataChange("update", N("users"))]),
    (
        "UPDATE users SET tier = 'x' WHERE id BETWEEN 1 AND 5000",
        [ddl.DataChange("update", N("users"), True, True)],
    ),
    (
        "UPDATE users SET tier = 'x' WHERE id >= 1 AND id < 5000 AND tier IS NULL",
        [ddl.DataChange("update", N("users"), True, True)],
    ),
    ("UPDATE users SET tier = 'x' WHERE id >= 1", [ddl.DataChange("update", N("users"), True)]),
    (
        "UPDATE users SET tier = 'x' WHERE id IN (SELECT id FROM users WHERE tier IS NULL LIMIT 1000)",
        [ddl.DataChange("update", N("users"), True, True)],
    ),
    ("UPDATE users SET tier = 'x' WHERE id IN (1, 2, 3)", [ddl.DataChange("update", N("users"), True, True)]),
    (
        "WITH batch AS (SELECT id FROM users WHERE tier IS NULL LIMIT 500) "
        "UPDATE users u SET tier = 'x' FROM batch WHERE u.id = batch.id",
        [ddl.DataChange("update", N("users"), True, True)],
    ),
    (
        "UPDATE users SET tier = 'x' WHERE id IN (SELECT id FROM users) OR id < 5",
        [ddl.DataChange("update", N("users"), True)],
    ),
    ("DELETE FROM sessions", [ddl.DataChange("delete", N("sessions"))]),
    (
        "DELETE FROM sessions WHERE ctid IN (SELECT ctid FROM sessions WHERE old LIMIT 100)",
        [ddl.DataChange("delete", N("sessions"), True, True)],
    ),
    ("INSERT INTO flags VALUES (1, 'on')", [ddl.DataChange("insert", N("flags"))]),
    (
        "INSERT INTO archive SELECT * FROM orders WHERE placed < '2020-01-01'",
        [ddl.DataChange("insert", N("archive"), True, False, True)],
    ),
    (
        "INSERT INTO archive SELECT * FROM orders LIMIT 10",
        [ddl.DataChange("insert", N("archive"), False, True, True)],
    ),
    ("ALTER TYPE mood RENAME VALUE 'meh' TO 'fine'", [ddl.RenameEnumValue(N("mood"), "meh", "fine")]),
    ("ALTER TYPE mood ADD VALUE 'calm'", [ddl.AddEnumValue(N("mood"), "calm")]),
    (
        "ALTER TYPE app.mood ADD VALUE IF NOT EXISTS 'calm' BEFORE 'sad'",
        [ddl.AddEnumValue(N("mood", "app"), "calm", "sad", False, True)],
    ),
    ("ALTER TYPE mood ADD VALUE 'calm' AFTER 'sad'", [ddl.AddEnumValue(N("mood"), "calm", "sad", True)]),
    (
        "ALTER TABLE events DETACH PARTITION events_2023",
        [ddl.DetachPartition(N("events"), N("events_2023"))],
    ),
    (
        "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY",
        [ddl.DetachPartition(N("events"), N("events_2023"), concurrently=True)],
    ),
    (
        "ALTER TABLE events DETACH PARTITION events_2023 FINALIZE",
        [ddl.DetachPartition(N("events"), N("events_2023"), finalize=True)],
    ),
    (
        "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        [ddl.AttachPartition(N("events"), N("events_2025"))],
    ),
    ("DROP INDEX idx_a", [ddl.Drop("index", (N("idx_a"),))]),
    ("DROP INDEX CONCURRENTLY idx_a", [ddl.Drop("index", (N("idx_a"),), concurrently=True)]),
    (
        "DROP INDEX CONCURRENTLY IF EXISTS app.idx_a",
        [ddl.Drop("index", (N("idx_a", "app"),), if_exists=True, concurrently=True)],
    ),
    ("DROP TABLE a, b CASCADE", [ddl.Drop("table", (N("a"), N("b")), cascade=True)]),
    ("ALTER TABLE t ALTER COLUMN n TYPE bigint", [ddl.AlterColumnType(N("t"), "n", "bigint")]),
    (
        "ALTER TABLE t ALTER COLUMN n TYPE integer USING n::integer",
        [ddl.AlterColumnType(N("t"), "n", "integer", "n::integer")],
    ),
    (
        "ALTER TABLE t ALTER n SET DATA TYPE numeric(12,2) USING (n * 100)::numeric / 100, ADD x int",
        [
            ddl.AlterColumnType(N("t"), "n", "numeric(12, 2)", "(n * 100)::numeric / 100"),
            ddl.AddColumn(N("t"), ddl.ColumnSpec("x", "integer")),
        ],
    ),
    (
        "ALTER TABLE t ADD CONSTRAINT t_code_key UNIQUE USING INDEX t_code_uq",
        [ddl.AddConstraint(N("t"), ddl.ConstraintSpec("unique", "t_code_key", using_index="t_code_uq"))],
    ),
    (
        "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_uq",
        [ddl.AddConstraint(N("t"), ddl.ConstraintSpec("primary", "t_pkey", using_index="t_id_uq"))],
    ),
    (
        "ALTER TABLE rooms ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)",
        [
            ddl.AddConstraint(
                N("rooms"),
                ddl.ConstraintSpec(
                    "exclusion",
                    "no_overlap",
                    ("room", "during"),
                    (ddl.KeySpec("room"), ddl.KeySpec("during")),
                    expression="EXCLUDE USING gist (room WITH =, during WITH &&)",
                    method="gist",
                ),
            )
        ],
    ),
    (
        "ALTER TABLE rooms ADD EXCLUDE (during WITH &&) WHERE (active)",
        [
            ddl.AddConstraint(
                N("rooms"),
                ddl.ConstraintSpec(
                    "exclusion",
                    None,
                    ("during",),
                    (ddl.KeySpec("during"),),
                    expression="EXCLUDE (during WITH &&) WHERE (active)",
                    method="btree",
                ),
            )
        ],
    ),
]


@pytest.mark.parametrize(("sql", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_statement_actions(sql: str, expected: list[ddl.Action]) -> None:
    assert [_unplaced(a) for a in actions(sql)] == expected


COLUMN_CASES: list[tuple[str, ddl.ColumnSpec]] = [
    ("flag boolean NOT NULL DEFAULT false", ddl.ColumnSpec("flag", "boolean", True, "FALSE")),
    ("token uuid DEFAULT gen_random_uuid()", ddl.ColumnSpec("token", "uuid", default="gen_random_uuid()")),
    ("seen timestamptz DEFAULT now()", ddl.ColumnSpec("seen", "timestamptz", default="now()")),
    (
        "t timestamptz DEFAULT clock_timestamp()",
        ddl.ColumnSpec("t", "timestamptz", default="clock_timestamp()"),
    ),
    ("r float8 DEFAULT random() NOT NULL", ddl.ColumnSpec("r", "float8", True, "random()")),
    (
        "n bigint DEFAULT nextval('s'::regclass)",
        ddl.ColumnSpec("n", "bigint", default="nextval('s'::regclass)"),
    ),
    ("k text DEFAULT 'x'::text", ddl.ColumnSpec("k", "text", default="'x'::text")),
    (
        "k text DEFAULT 'a' || 'b' COLLATE \"C\"",
        ddl.ColumnSpec("k", "text", default="'a' || 'b'", collation="C"),
    ),
    ("c int DEFAULT 0", ddl.ColumnSpec("c", "integer", default="0")),
    ("s bigserial", ddl.ColumnSpec("s", "bigserial")),
    ("s serial", ddl.ColumnSpec("s", "serial")),
    ("i bigint GENERATED ALWAYS AS IDENTITY", ddl.ColumnSpec("i", "bigint", identity="always")),
    ("i int GENERATED BY DEFAULT AS IDENTITY", ddl.ColumnSpec("i", "integer", identity="by default")),
    (
        "cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED",
        ddl.ColumnSpec("cents", "bigint", generated="(amount * 100)::bigint", generated_stored=True),
    ),
    (
        "p bigint REFERENCES parents (id) ON DELETE CASCADE",
        ddl.ColumnSpec(
            "p",
            "bigint",
            constraints=(
                ddl.ConstraintSpec(
                    "foreign", None, ("p",), reference=ddl.ReferenceSpec(N("parents"), ("id",), "CASCADE")
                ),
            ),
        ),
    ),
]


@pytest.mark.parametrize(("definition", "expected"), COLUMN_CASES, ids=[c[0] for c in COLUMN_CASES])
def test_add_column_forms(definition: str, expected: ddl.ColumnSpec) -> None:
    (action,) = actions(f"ALTER TABLE t ADD COLUMN {definition}")
    assert _unplaced(action) == ddl.AddColumn(N("t"), expected)


def test_begin_then_statements_in_one_script() -> None:
    script = """
    BEGIN;
    SET LOCAL lock_timeout = '2s';
    LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
    UPDATE orders SET state = 'new' WHERE state IS NULL;
    COMMIT;
    """
    assert [type(a).__name__ for a in actions(script)] == [
        "TransactionControl",
        "SetSetting",
        "LockTable",
        "DataChange",
        "TransactionControl",
    ]
