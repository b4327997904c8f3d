from tests.rules.migration_helpers import lint

RULE = "add-unique-constraint-without-index"


def test_unique_constraint_fires_with_concurrent_index_then_using_index():
    [finding] = lint("ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);", RULE)
    assert finding.fix.sql == (
        "CREATE UNIQUE INDEX CONCURRENTLY orders_code_key ON orders (code);\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_key;"
    )
    assert finding.evidence["lock"] == "ACCESS EXCLUSIVE"


def test_unnamed_multi_column_unique_gets_the_default_name():
    [finding] = lint("ALTER TABLE orders ADD UNIQUE (user_id, code);", RULE)
    assert (
        "CREATE UNIQUE INDEX CONCURRENTLY orders_user_id_code_key ON orders (user_id, code);"
        in finding.fix.sql
    )


def test_inline_unique_on_a_new_column_fires_too():
    [finding] = lint("ALTER TABLE orders ADD COLUMN ref text NOT NULL DEFAULT '' UNIQUE;", RULE)
    assert finding.fix.sql.splitlines()[0] == "ALTER TABLE orders ADD COLUMN ref text NOT NULL DEFAULT '';"


def test_using_index_and_new_tables_are_clean():
    sql = (
        "CREATE UNIQUE INDEX CONCURRENTLY orders_code_uq ON orders (code);\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_uq;"
    )
    assert lint(sql, RULE) == []
    assert lint("CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);", RULE) == []
    assert lint("ALTER TABLE orders ADD PRIMARY KEY (id);", RULE) == []
