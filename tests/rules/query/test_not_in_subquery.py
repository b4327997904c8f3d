from dbexpert.model import Applicability, Severity
from tests.rules.query.helpers import findings

SQL = "SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM bans)"


def test_unknown_nullability_is_a_correctness_error_with_not_exists():
    [finding] = findings("not-in-subquery", SQL)
    assert finding.severity is Severity.ERROR
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.sql == (
        "SELECT id FROM users WHERE NOT EXISTS(SELECT 1 FROM bans WHERE bans.user_id = users.id)"
    )


def test_not_null_columns_make_the_rewrite_safe_and_a_warning():
    schema = "CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE bans (user_id bigint NOT NULL);"
    [finding] = findings("not-in-subquery", SQL, schema=schema)
    assert finding.severity is Severity.WARNING
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE


def test_aliases_are_kept_in_the_correlation():
    sql = "SELECT u.id FROM users u WHERE u.id NOT IN (SELECT b.user_id FROM bans b WHERE b.active)"
    [finding] = findings("not-in-subquery", sql)
    assert finding.fix is not None
    assert "WHERE b.active AND b.user_id = u.id" in (finding.fix.sql or "")


def test_not_in_list_with_null_is_never_true():
    [finding] = findings("not-in-subquery", "SELECT 1 FROM t WHERE a NOT IN (1, 2, NULL)")
    assert "never true" in finding.message


def test_not_exists_and_in_lists_are_fine():
    sql = "SELECT 1 FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.a = t.a); SELECT 1 FROM t WHERE a NOT IN (1, 2)"
    assert findings("not-in-subquery", sql) == []
