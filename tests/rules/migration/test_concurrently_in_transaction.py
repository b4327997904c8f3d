import pytest

from dbexpert.model import Category, Severity
from tests.rules.migration_helpers import lint

RULE = "concurrently-in-transaction"


@pytest.mark.parametrize(
    ("sql", "command"),
    [
        ("CREATE INDEX CONCURRENTLY i ON orders (customer_id);", "CREATE INDEX CONCURRENTLY"),
        ("DROP INDEX CONCURRENTLY orders_state_idx;", "DROP INDEX CONCURRENTLY"),
        ("REINDEX INDEX CONCURRENTLY orders_state_idx;", "REINDEX CONCURRENTLY"),
        (
            "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;",
            "ALTER TABLE ... DETACH CONCURRENTLY",
        ),
    ],
)
def test_concurrent_operations_in_an_explicit_transaction_fail(sql, command):
    [finding] = lint(f"BEGIN;\n{sql}\nCOMMIT;", RULE)
    assert finding.category is Category.CORRECTNESS and finding.severity is Severity.ERROR
    assert finding.evidence["command"] == command and finding.evidence["explicit_transaction"] is True
    assert finding.location.line == 2
    assert finding.fix.sql.endswith(sql)


def test_the_tools_transaction_counts_too():
    [finding] = lint("CREATE INDEX CONCURRENTLY i ON orders (customer_id);", RULE, transactional=True)
    assert finding.evidence["explicit_transaction"] is False
    assert "migration tool" in finding.message and finding.location.object == "public.orders"


def test_a_new_table_does_not_help_inside_a_transaction():
    sql = "BEGIN;\nCREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);\nCOMMIT;"
    assert len(lint(sql, RULE)) == 1


def test_outside_a_transaction_or_without_concurrently_is_clean():
    assert lint("CREATE INDEX CONCURRENTLY i ON orders (customer_id);", RULE) == []
    assert lint("BEGIN;\nCOMMIT;\nDROP INDEX CONCURRENTLY i;", RULE) == []
    assert lint("BEGIN;\nCREATE INDEX i ON orders (customer_id);\nCOMMIT;", RULE) == []
    assert lint("ALTER TABLE events DETACH PARTITION events_2023 FINALIZE;", RULE, transactional=True) == []
