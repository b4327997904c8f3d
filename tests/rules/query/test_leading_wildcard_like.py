from dbexpert.model import Engine
from tests.rules.query.helpers import findings

RULE = "leading-wildcard-like"


def test_suffix_pattern_on_postgres_gets_a_trigram_index():
    [finding] = findings(RULE, "SELECT id\nFROM customers c WHERE c.email LIKE '%@example.com'")
    assert finding.location.line == 2 and finding.location.column == 24
    assert finding.fix is not None
    assert finding.fix.sql == (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
        "CREATE INDEX customers_email_trgm_idx ON customers USING gin (email gin_trgm_ops);"
    )
    assert finding.evidence["operator"] == "LIKE"


def test_ilike_not_like_and_concatenated_patterns_fire():
    sql = (
        "SELECT id FROM products WHERE name ILIKE '%' || $1 || '%';"
        "SELECT id FROM products WHERE sku NOT LIKE '_X%'"
    )
    fired = findings(RULE, sql)
    assert [f.evidence["operator"] for f in fired] == ["ILIKE", "NOT LIKE"]


def test_mysql_concat_gets_fulltext_and_sqlite_fts5():
    [my] = findings(RULE, "SELECT id FROM posts WHERE body LIKE CONCAT('%', ?, '%')", engine=Engine.MYSQL)
    assert (
        my.fix is not None and my.fix.sql == "ALTER TABLE posts ADD FULLTEXT INDEX posts_body_ft_idx (body);"
    )
    [lite] = findings(RULE, "SELECT id FROM posts WHERE title LIKE '%news%'", engine=Engine.SQLITE)
    assert lite.fix is not None and "FTS5" in lite.fix.description


def test_an_existing_trigram_index_silences_the_rule():
    schema = (
        "CREATE TABLE customers (id bigint PRIMARY KEY, email text);"
        "CREATE INDEX customers_email_trgm ON customers USING gin (email gin_trgm_ops);"
    )
    assert findings(RULE, "SELECT id FROM customers WHERE email LIKE '%@x.org'", schema=schema) == []


def test_prefix_patterns_and_non_filters_are_clean():
    sql = (
        "SELECT id FROM customers WHERE email LIKE 'ann%';"
        "SELECT id FROM customers WHERE name ILIKE $1;"
        "SELECT email LIKE '%@x.org' AS external FROM customers;"
        "SELECT id FROM customers WHERE email LIKE 'a%b%'"
    )
    assert findings(RULE, sql) == []
