from tests.rules.migration_helpers import lint

RULE = "rename-enum-value"


def test_rename_value_fires_with_add_value_as_the_fix():
    [finding] = lint("ALTER TYPE order_state RENAME VALUE 'paid' TO 'settled';", RULE)
    assert finding.fix.sql.startswith(
        "ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'settled' AFTER 'paid';"
    )
    assert finding.evidence["old_value"] == "paid"


def test_adding_a_value_is_clean():
    assert lint("ALTER TYPE order_state ADD VALUE 'settled';", RULE) == []
