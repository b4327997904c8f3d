from tests.rules.migration_helpers import lint

RULE = "add-stored-generated-column"
SQL = "ALTER TABLE orders ADD COLUMN cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED;"


def test_stored_generated_column_fires_with_a_trigger_and_a_backfill():
    [finding] = lint(SQL, RULE)
    assert finding.evidence["rewrite"] is True
    sql = finding.fix.sql
    assert sql.startswith("ALTER TABLE orders ADD COLUMN cents bigint;")
    assert "CREATE TRIGGER orders_cents_fill BEFORE INSERT OR UPDATE ON orders" in sql
    assert "FROM (SELECT NEW.*) AS row" in sql
    assert "UPDATE orders SET cents = " in sql


def test_plain_columns_and_new_tables_are_clean():
    assert lint("ALTER TABLE orders ADD COLUMN cents bigint;", RULE) == []
    assert lint(f"CREATE TABLE orders (id int, amount numeric);\n{SQL}", RULE) == []
