from dbexpert.model import Version
from tests.rules.migration_helpers import lint

RULE = "enum-add-value-in-transaction"
SQL = "ALTER TYPE order_state ADD VALUE 'refunded' AFTER 'paid';"


def test_in_a_transaction_before_pg12_fails():
    [finding] = lint(f"BEGIN;\n{SQL}\nCOMMIT;", RULE, version=Version(11))
    assert finding.fix.sql == "ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'refunded' AFTER 'paid';"
    [finding] = lint(SQL, RULE, version=Version(10), transactional=True)
    assert finding.evidence["explicit_transaction"] is False


def test_outside_a_transaction_or_on_pg12_and_later_is_clean():
    assert lint(SQL, RULE, version=Version(11)) == []
    assert lint(f"BEGIN;\n{SQL}\nCOMMIT;", RULE, version=Version(12)) == []
    assert lint(SQL, RULE, transactional=True) == []
