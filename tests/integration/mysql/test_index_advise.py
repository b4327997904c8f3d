"""`index advise` on the local MariaDB 10.11: exact mode on a scratch copy with sampled data."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pymysql
import pytest

from dbexpert.api.index_advise import index_advise
from dbexpert.engines import connect
from dbexpert.engines.mysql.scratch import SCRATCH_PREFIX
from dbexpert.engines.mysql.whatif import MysqlWhatIf
from dbexpert.engines.url import parse_url

SCHEMA = [
    "CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(100) NOT NULL, country char(2) NOT NULL)",
    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status varchar(10) NOT NULL,"
    " total decimal(12, 2) NOT NULL, created_at datetime NOT NULL,"
    " FOREIGN KEY (customer_id) REFERENCES customers (id))",
    "INSERT INTO customers SELECT seq, CONCAT('user', seq, '@example.com'), ELT(1 + seq % 5, 'FR','DE','US','GB','IT')"
    " FROM seq_1_to_5000",
    "INSERT INTO orders SELECT seq, 1 + (seq * 7919) % 5000, IF(seq % 100 = 0, 'failed', 'done'), (seq % 1000) / 10,"
    " TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq * 10 SECOND FROM seq_1_to_60000",
    "ANALYZE TABLE customers, orders",
]

WORKLOAD = """-- weight: 100
select id, total from orders where customer_id = 42 order by created_at desc;
-- weight: 50
select id from customers where email = 'user42@example.com';
-- weight: 10
select count(*) from orders where created_at between '2026-01-02' and '2026-01-03';
select * from nosuch where x = 1;
"""


def _run(url: str, statements: list[str]) -> None:
    parts = urlsplit(url)
    conn = pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username,
                           password=parts.password or "", database=parts.path.lstrip("/"), autocommit=True)
    with conn, conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _scratch_databases(url: str) -> set[str]:
    parts = urlsplit(url)
    conn = pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username,
                           password=parts.password or "")
    with conn, conn.cursor() as cursor:
        cursor.execute("SHOW DATABASES")
        return {r[0] for r in cursor.fetchall() if r[0].startswith(SCRATCH_PREFIX)}


@pytest.fixture
def shop(mysql_url: str) -> str:
    _run(mysql_url, SCHEMA)
    return mysql_url


def test_costs_on_a_sampled_scratch_copy_and_says_so(shop: str, tmp_path: Path) -> None:
    workload = tmp_path / "workload.sql"
    workload.write_text(WORKLOAD, encoding="utf-8")
    before = _scratch_databases(shop)
    advice = index_advise(shop, str(workload), budget_mb=50)
    indexes = {i["name"]: i for i in advice.indexes_json()}
    assert "customers_email_idx" in indexes, indexes
    assert all(i["sql"].startswith("CREATE INDEX ") and "CONCURRENTLY" not in i["sql"] for i in indexes.values())
    assert any("created_at" in name for name in indexes), indexes
    assert advice.selection.ratio < 0.5
    costs = advice.selection.costs
    assert all(c.after <= c.before for c in costs) and sum(c.before > c.after for c in costs) == 2
    assert "unknown table nosuch" in " | ".join(advice.skipped)
    rejected = {r.reason for r in advice.selection.rejected}
    assert "already served by the existing index customer_id" in rejected  # the foreign key's index
    report = advice.report()
    assert "scratch copy with sampled data" in " ".join(report.notes)
    assert "scratch copy with sampled data" in report.summary["costs_are"]
    # the source is only read, the scratch copy is gone
    assert _scratch_databases(shop) == before
    parts = urlsplit(shop)
    conn = pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username,
                           password=parts.password or "", database=parts.path.lstrip("/"))
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE()")
        assert {r[0] for r in cursor.fetchall()} == {"PRIMARY", "customer_id"}


def test_the_copy_is_sampled_and_configurations_switch_indexes(shop: str) -> None:
    with connect(parse_url(shop)) as session:
        catalog = session.introspect()
        whatif = MysqlWhatIf(session, catalog, sample_rows=10_000)
        try:
            copied, estimate = whatif.sampled["orders"] if "orders" in whatif.sampled else next(
                v for k, v in whatif.sampled.items() if k.endswith("orders")
            )
            assert 7_000 < copied < 13_000 and estimate > 50_000  # a Bernoulli sample of ~10,000 rows
            query = "select id from orders where status = 'failed' and created_at > '2026-01-03'"
            index = "CREATE INDEX orders_status_idx ON orders (status, created_at)"
            bare = whatif.cost(query, [])
            indexed = whatif.cost(query, [index])
            assert indexed.cost < bare.cost and indexed.used == frozenset({0})
            assert whatif.cost(query, []).cost == bare.cost  # served from the cache
            other = "select id from orders where total = 5"
            assert whatif.cost(other, [index]).cost == pytest.approx(whatif.cost(other, []).cost)
        finally:
            whatif.close()
