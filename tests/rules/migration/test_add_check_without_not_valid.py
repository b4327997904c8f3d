from tests.rules.migration_helpers import lint

RULE = "add-check-without-not-valid"


def test_validated_check_on_an_existing_table_fires_with_the_two_step_fix():
    [finding] = lint("ALTER TABLE orders ADD CONSTRAINT orders_amount_pos CHECK (amount >= 0);", RULE)
    assert finding.fix.sql == (
        "ALTER TABLE orders ADD CONSTRAINT orders_amount_pos CHECK (amount >= 0) NOT VALID;\n"
        "-- in a separate transaction (autocommit, or the next migration):\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_pos;"
    )
    assert finding.evidence["lock"] == "ACCESS EXCLUSIVE" and finding.location.object == "public.orders"


def test_unnamed_check_gets_a_name_to_validate():
    [finding] = lint('ALTER TABLE "Order" ADD CHECK (amount >= 0);', RULE)
    assert 'VALIDATE CONSTRAINT "Order_check_check";' in finding.fix.sql


def test_not_valid_and_new_tables_are_clean():
    assert lint("ALTER TABLE orders ADD CONSTRAINT c CHECK (amount >= 0) NOT VALID;", RULE) == []
    assert lint("CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);", RULE) == []
    assert lint("ALTER TABLE orders ADD CONSTRAINT u UNIQUE (code);", RULE) == []
