from tests.rules.query.helpers import findings

SCHEMA = "CREATE TABLE posts (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, title text);"


def test_large_offset_on_a_unique_key_gets_the_keyset_rewrite():
    [finding] = findings(
        "offset-pagination", "SELECT id, title FROM posts ORDER BY id LIMIT 20 OFFSET 10000", schema=SCHEMA
    )
    assert finding.evidence["order_by_unique"] is True
    assert finding.fix is not None
    assert finding.fix.sql == "SELECT id, title FROM posts WHERE id > :last_id ORDER BY id LIMIT 20"


def test_non_unique_order_says_which_key_to_add():
    sql = "SELECT id FROM posts ORDER BY created_at DESC LIMIT 20 OFFSET 5000"
    [finding] = findings("offset-pagination", sql, schema=SCHEMA)
    assert finding.evidence["order_by_unique"] is False
    assert "append id" in finding.fix.description if finding.fix else False
    assert finding.fix is not None and finding.fix.sql is None


def test_parameter_offsets_and_mysql_limit_comma_form():
    assert findings("offset-pagination", "SELECT id FROM posts ORDER BY id LIMIT 20 OFFSET $1")
    from dbexpert.model import Engine

    assert findings(
        "offset-pagination", "SELECT id FROM posts ORDER BY id LIMIT 5000, 20", engine=Engine.MYSQL
    )


def test_small_offsets_are_fine_and_the_threshold_is_an_option():
    sql = "SELECT id FROM posts ORDER BY id LIMIT 20 OFFSET 40"
    assert findings("offset-pagination", sql) == []
    assert findings("offset-pagination", sql, min_offset=10)
