from tests.rules.query.helpers import findings


def test_equals_null_rewritten_to_is_null():
    [finding] = findings("comparison-with-null", "SELECT id FROM t WHERE a = NULL AND b = 1")
    assert finding.fix is not None and finding.fix.sql == "SELECT id FROM t WHERE a IS NULL AND b = 1"


def test_not_equals_null_rewritten_to_is_not_null():
    [finding] = findings("comparison-with-null", "SELECT id FROM t\nWHERE NULL <> a")
    assert (
        finding.fix is not None
        and finding.fix.sql == "SELECT id FROM t WHERE NOT a IS NULL"
        or (finding.fix is not None and finding.fix.sql == "SELECT id FROM t WHERE a IS NOT NULL")
    )
    assert finding.location.line == 2


def test_assignment_of_null_and_is_null_are_fine():
    sql = "UPDATE t SET a = NULL WHERE id = 1; SELECT 1 FROM t WHERE a IS NULL; SELECT 1 FROM t WHERE a IS NOT NULL"
    assert findings("comparison-with-null", sql) == []
