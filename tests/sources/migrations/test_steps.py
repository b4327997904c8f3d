"""What each migration step knows about the statements before it."""

from dbexpert.model import Engine, Version
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.migrations.steps import MigrationStep, prepare
from dbexpert.sql import ddl


def _steps(sql: str, *, transactional: bool = False, engine: Engine = Engine.POSTGRES) -> list[MigrationStep]:
    migration = Migration(id="m", tool="sql", up=MigrationScript("m.sql", sql), transactional=transactional)
    [prepared] = prepare([migration], engine, Version(15))
    return list(prepared.steps)


def test_explicit_transactions_hold_locks_until_commit():
    steps = _steps(
        "BEGIN;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT c;\nCOMMIT;\nALTER TABLE t VALIDATE CONSTRAINT c;\n"
    )
    validate_inside, validate_after = steps[2], steps[4]
    assert validate_inside.in_transaction and validate_inside.explicit_transaction
    assert validate_inside.held_locks == {("public", "t"): "ACCESS EXCLUSIVE"}
    assert validate_inside.not_valid_here == {(("public", "t"), "c")}
    assert not validate_after.in_transaction and dict(validate_after.held_locks) == {}


def test_autocommit_releases_locks_after_each_statement_and_the_tool_transaction_keeps_them():
    sql = "ALTER TABLE t ADD COLUMN a int;\nUPDATE t SET a = 1;\n"
    assert dict(_steps(sql)[1].held_locks) == {}
    assert _steps(sql, transactional=True)[1].held_locks == {("public", "t"): "ACCESS EXCLUSIVE"}


def test_commit_inside_the_tool_transaction_ends_it_and_begin_opens_a_new_one():
    steps = _steps(
        "ALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
        "UPDATE t SET a = 1;\nBEGIN;\nALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = 1;\nCOMMIT;\n"
        "SELECT 1;\n",
        transactional=True,
    )
    assert steps[0].in_transaction and not steps[0].explicit_transaction
    concurrently, update = steps[2], steps[3]
    assert not concurrently.in_transaction and dict(concurrently.held_locks) == {}
    assert not update.in_transaction
    assert steps[6].in_transaction and steps[6].explicit_transaction
    assert steps[6].held_locks == {("public", "t"): "ACCESS EXCLUSIVE"}
    assert not steps[8].in_transaction and dict(steps[8].held_locks) == {}


def test_rollback_inside_the_tool_transaction_ends_it_too():
    steps = _steps(
        "SET LOCAL lock_timeout = '1s';\nROLLBACK;\nALTER TABLE t ADD COLUMN a int;\n", transactional=True
    )
    assert steps[1].in_transaction and steps[1].lock_wait_bounded()
    assert not steps[2].in_transaction and not steps[2].lock_wait_bounded()


def test_mysql_ddl_is_never_inside_a_transaction():
    steps = _steps("BEGIN;\nALTER TABLE t ADD COLUMN a int;\n", engine=Engine.MYSQL)
    assert not steps[1].in_transaction


def test_settings_and_local_settings_end_with_the_transaction():
    steps = _steps(
        "SET lock_timeout = '2s';\nBEGIN;\nSET LOCAL statement_timeout = '5s';\nCOMMIT;\nSELECT 1;\n"
    )
    assert steps[1].lock_wait_bounded()
    assert steps[3].settings == {"lock_timeout": "2s", "statement_timeout": "5s"}
    assert steps[4].settings == {"lock_timeout": "2s"}
    assert not _steps("ALTER TABLE t ADD COLUMN a int;\n")[0].lock_wait_bounded()


def test_new_tables_and_columns_are_known_to_later_statements():
    steps = _steps("CREATE TABLE n (id int);\nALTER TABLE old ADD COLUMN c int;\nCREATE INDEX i ON n (id);\n")
    assert steps[2].is_new(ddl.Name("n")) and not steps[2].is_new(ddl.Name("old"))
    assert steps[2].column_added_here(ddl.Name("old"), "c") and not steps[1].column_added_here(
        ddl.Name("old"), "c"
    )
    assert steps[2].earlier_blocking_lock and not steps[1].earlier_blocking_lock


def test_tables_predating_the_files_get_a_stand_in_that_remembers_what_was_done():
    steps = _steps(
        "ALTER TABLE legacy ADD CONSTRAINT nn CHECK (a IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE legacy VALIDATE CONSTRAINT nn;\nALTER TABLE legacy ALTER COLUMN a SET NOT NULL;\n"
    )
    legacy = steps[2].table(ddl.Name("legacy"))
    assert legacy is not None and [(c.name, c.validated) for c in legacy.checks] == [("nn", True)]
    assert not steps[2].defined(ddl.Name("legacy"))


def test_tables_before_holds_every_table_the_statement_names_in_order_and_nothing_else():
    steps = _steps(
        "CREATE TABLE parent (id int PRIMARY KEY);\n"
        "ALTER TABLE child ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES parent (id) NOT VALID;\n"
        "ALTER TABLE child VALIDATE CONSTRAINT fk;\n"
    )
    assert dict(steps[0].tables_before) == {}  # a table being created has no "before"
    assert list(steps[1].tables_before) == [("public", "child"), ("public", "parent")]
    assert not steps[1].defined(ddl.Name("child")) and steps[1].defined(ddl.Name("parent"))
    child = steps[2].table(ddl.Name("child"))
    assert child is not None and [(f.name, f.validated) for f in child.foreign_keys] == [("fk", False)]
    assert list(steps[2].tables_before) == [("public", "child")]


def test_drop_index_learns_its_table_from_earlier_migrations():
    steps = _steps("CREATE TABLE t (a int);\nCOMMIT;\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;\n")
    [drop] = steps[3].actions
    assert isinstance(drop, ddl.Drop) and drop.table == ddl.Name("t", "public")


def test_statement_locations_point_into_the_file():
    migration = Migration(
        id="m", tool="dbmate", up=MigrationScript("m.sql", "SELECT 1;\nSELECT 2;", line_offset=4)
    )
    [prepared] = prepare([migration], Engine.POSTGRES)
    assert [s.location.line for s in prepared.steps] == [5, 6]
