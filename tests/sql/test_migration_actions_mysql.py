"""MySQL/MariaDB statements that matter to migration safety -> exact DDL actions (through sqlglot)."""

from __future__ import annotations

import pytest

from dbexpert.model import Engine
from dbexpert.sql import ddl
from dbexpert.sql.ddl_actions import ddl_actions
from dbexpert.sql.parse import SqlSyntaxError, split_statements

N = ddl.Name


def actions(sql: str) -> list[ddl.Action]:
    return [a for statement in split_statements(sql, Engine.MYSQL) for a in ddl_actions(statement)]


def _plain(action: ddl.Action) -> ddl.Action:
    """Positions taken out, to compare with a literal."""
    if isinstance(action, ddl.AddColumn | ddl.ReplaceColumn):
        column = ddl.ColumnSpec(**{**_fields(action.column), "position": None})
        if isinstance(action, ddl.AddColumn):
            return ddl.AddColumn(action.table, column, action.if_not_exists)
        return ddl.ReplaceColumn(action.table, action.old_name, column)
    if isinstance(action, ddl.AddConstraint):
        return ddl.AddConstraint(
            action.table, ddl.ConstraintSpec(**{**_fields(action.constraint), "position": None})
        )
    if isinstance(action, ddl.CreateIndex):
        return ddl.CreateIndex(**{**_fields(action), "position": None})
    return action


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}  # type: ignore[attr-defined]


T = N("t")
CASES: list[tuple[str, list[ddl.Action]]] = [
    ("BEGIN", [ddl.TransactionControl("begin")]),
    ("START TRANSACTION", [ddl.TransactionControl("begin")]),
    ("COMMIT", [ddl.TransactionControl("commit")]),
    ("ROLLBACK", [ddl.TransactionControl("rollback")]),
    ("ROLLBACK TO SAVEPOINT s1", []),
    ("SET lock_wait_timeout = 5", [ddl.SetSetting("lock_wait_timeout", "5")]),
    ("SET SESSION lock_wait_timeout = 5", [ddl.SetSetting("lock_wait_timeout", "5")]),
    ("SET @@session.lock_wait_timeout = 5", [ddl.SetSetting("lock_wait_timeout", "5")]),
    ("SET innodb_lock_wait_timeout = 3", [ddl.SetSetting("innodb_lock_wait_timeout", "3")]),
    ("SET SESSION max_execution_time = 1000", [ddl.SetSetting("max_execution_time", "1000")]),
    ("SET SESSION lock_wait_timeout = DEFAULT", [ddl.SetSetting("lock_wait_timeout", None)]),
    ("SET sql_mode = 'STRICT_ALL_TABLES'", [ddl.SetSetting("sql_mode", "STRICT_ALL_TABLES")]),
    ("SET @batch = 1", []),
    ("SET NAMES utf8mb4", []),
    ("OPTIMIZE TABLE t, `shop`.u", [ddl.Rewrite("OPTIMIZE TABLE", (T, N("u", "shop")))]),
    (
        "LOCK TABLES t WRITE, u READ, v AS x LOW_PRIORITY WRITE",
        [ddl.LockTable((T, N("v")), "WRITE"), ddl.LockTable((N("u"),), "READ")],
    ),
    ("UNLOCK TABLES", []),
    ("TRUNCATE TABLE t", [ddl.Truncate((T,))]),
    ("UPDATE t SET a = 1 WHERE a IS NULL", [ddl.DataChange("update", T, True)]),
    ("UPDATE t SET a = 1 WHERE a IS NULL LIMIT 1000", [ddl.DataChange("update", T, True, True)]),
    ("UPDATE t SET a = 1 WHERE id BETWEEN 1 AND 1000", [ddl.DataChange("update", T, True, True)]),
    ("UPDATE t SET a = 1 WHERE id > 10 AND id <= 20", [ddl.DataChange("update", T, True, True)]),
    ("DELETE FROM t WHERE created < '2020-01-01'", [ddl.DataChange("delete", T, True)]),
    ("DELETE FROM t WHERE id IN (1, 2)", [ddl.DataChange("delete", T, True, True)]),
    ("DELETE FROM t LIMIT 500", [ddl.DataChange("delete", T, False, True)]),
    ("INSERT INTO t VALUES (1)", [ddl.DataChange("insert", T)]),
    ("INSERT INTO t SELECT * FROM u WHERE ok", [ddl.DataChange("insert", T, True, False, True)]),
    (
        "ALTER TABLE t ADD COLUMN c INT AFTER b, ALGORITHM=INPLACE, LOCK=NONE",
        [
            ddl.AddColumn(T, ddl.ColumnSpec("c", "INT", placement="AFTER b")),
            ddl.AlterTableOptions(T, "INPLACE", "NONE"),
        ],
    ),
    (
        "ALTER TABLE t ALGORITHM=INSTANT, ADD COLUMN c int FIRST",
        [
            ddl.AddColumn(T, ddl.ColumnSpec("c", "int", placement="FIRST")),
            ddl.AlterTableOptions(T, "INSTANT"),
        ],
    ),
    (
        "ALTER TABLE t MODIFY COLUMN c BIGINT NOT NULL",
        [ddl.ReplaceColumn(T, "c", ddl.ColumnSpec("c", "BIGINT", True))],
    ),
    (
        "ALTER TABLE t CHANGE COLUMN c d BIGINT AFTER a",
        [ddl.ReplaceColumn(T, "c", ddl.ColumnSpec("d", "BIGINT", placement="AFTER a"))],
    ),
    ("ALTER TABLE t RENAME COLUMN a TO b", [ddl.RenameColumn(T, "a", "b")]),
    (
        "ALTER TABLE t ADD PRIMARY KEY (id)",
        [ddl.AddConstraint(T, ddl.ConstraintSpec("primary", None, ("id",)))],
    ),
    (
        "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b), LOCK=SHARED",
        [
            ddl.DropConstraint(T, None, "primary"),
            ddl.AddConstraint(T, ddl.ConstraintSpec("primary", None, ("a", "b"))),
            ddl.AlterTableOptions(T, None, "SHARED"),
        ],
    ),
    (
        "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, ALGORITHM=COPY",
        [ddl.Rewrite("CONVERT TO CHARACTER SET", (T,)), ddl.AlterTableOptions(T, "COPY")],
    ),
    (
        "ALTER TABLE shop.t ADD COLUMN z int, CONVERT TO CHARSET utf8mb4",
        [
            ddl.AddColumn(N("t", "shop"), ddl.ColumnSpec("z", "int")),
            ddl.Rewrite("CONVERT TO CHARACTER SET", (N("t", "shop"),)),
        ],
    ),
    ("ALTER TABLE t ENGINE=InnoDB", [ddl.Rewrite("ENGINE=InnoDB", (T,))]),
    ("ALTER TABLE t FORCE", [ddl.Rewrite("FORCE", (T,))]),
    (
        "CREATE INDEX i ON t (a) ALGORITHM=INPLACE LOCK=NONE",
        [ddl.CreateIndex(T, (ddl.KeySpec("a"),), "i"), ddl.AlterTableOptions(T, "INPLACE", "NONE")],
    ),
    (
        "CREATE UNIQUE INDEX i ON t (a) LOCK = SHARED",
        [ddl.CreateIndex(T, (ddl.KeySpec("a"),), "i", unique=True), ddl.AlterTableOptions(T, None, "SHARED")],
    ),
    ("DROP INDEX i ON t", [ddl.Drop("index", (N("i"),), table=T)]),
]


@pytest.mark.parametrize(("sql", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_statement_actions(sql: str, expected: list[ddl.Action]) -> None:
    assert [_plain(a) for a in actions(sql)] == expected


def test_unparsable_form_is_a_clean_error_with_position() -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        actions("SELECT 1;\nALTER TABLE t ADD COLUMN (;")
    assert caught.value.line == 2 and caught.value.column >= 1


def test_rename_table_gives_one_rename_per_pair():
    assert actions("RENAME TABLE a TO b, `db`.`c` TO db.d;") == [
        ddl.RenameTable(N("a"), "b"),
        ddl.RenameTable(N("c", "db"), "d"),
    ]
    assert actions("rename table x to y") == [ddl.RenameTable(N("x"), "y")]
