from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

SCHEMA = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, bio text);"


def test_star_without_schema_is_manual():
    [finding] = findings("select-star", "SELECT * FROM users WHERE id = 1")
    assert finding.fix is not None and finding.fix.applicability is Applicability.MANUAL
    assert finding.location.line == 1 and finding.location.column == 8


def test_star_with_schema_lists_the_columns():
    [finding] = findings("select-star", "SELECT * FROM users WHERE id = 1", schema=SCHEMA)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == "SELECT id, email, bio FROM users WHERE id = 1"


def test_qualified_star_in_a_join_keeps_its_alias():
    schema = SCHEMA + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);"
    sql = "SELECT u.*, o.id FROM users u JOIN orders o ON o.user_id = u.id"
    [finding] = findings("select-star", sql, schema=schema)
    assert finding.fix is not None
    assert (
        finding.fix.sql
        == "SELECT u.id, u.email, u.bio, o.id FROM users AS u JOIN orders AS o ON o.user_id = u.id"
    )


def test_star_in_exists_and_count_star_are_fine():
    sql = "SELECT id FROM users u WHERE EXISTS (SELECT * FROM orders o WHERE o.user_id = u.id); SELECT count(*) FROM users"
    assert findings("select-star", sql) == []


def test_mysql_dialect():
    [finding] = findings("select-star", "SELECT * FROM `users` LIMIT 10", engine=Engine.MYSQL)
    assert finding.location.column == 8
