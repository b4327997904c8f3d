from tests.rules.migration_helpers import lint

RULE = "create-index-not-concurrently"


def test_plain_create_index_on_an_existing_table_fires_with_the_concurrent_fix():
    [finding] = lint("CREATE INDEX orders_customer_idx ON orders (customer_id);", RULE)
    assert finding.fix.sql == "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);"
    assert finding.location.line == 1 and finding.location.object == "public.orders"


def test_unique_index_fix_keeps_unique():
    [finding] = lint("CREATE UNIQUE INDEX u ON users (email);", RULE)
    assert finding.fix.sql == "CREATE UNIQUE INDEX CONCURRENTLY u ON users (email);"


def test_concurrent_builds_and_tables_created_in_the_same_migration_are_clean():
    assert lint("CREATE INDEX CONCURRENTLY i ON orders (customer_id);", RULE) == []
    assert lint("CREATE TABLE t (id bigint PRIMARY KEY, a int);\nCREATE INDEX t_a ON t (a);", RULE) == []


def test_mysql_is_out_of_scope():
    from dbexpert.model import Engine

    assert lint("CREATE INDEX i ON orders (customer_id);", RULE, Engine.MYSQL) == []
