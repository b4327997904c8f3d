"""`index advise --verify` on the local MariaDB 10.11: the chosen set built on a scratch copy the test
makes (a second database with the same tables and rows), the workload timed before and after with
ANALYZE FORMAT=JSON, and every built index dropped again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest

from dbexpert.advisors.index.verify import plan_indexes, verify
from dbexpert.api.index_advise import index_advise
from dbexpert.engines.mysql.verify import ScratchCopy
from dbexpert.engines.url import parse_url
from dbexpert.model import InputError
from dbexpert.sources.plans.mysql import parse_mysql_plan
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import MYSQL_URL, _with_database, mysql_connect_args, mysql_execute, unique_name

pytestmark = pytest.mark.mysql

SCHEMA = """
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(100) NOT NULL, country char(2) NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status varchar(10) NOT NULL,
    total decimal(12, 2) NOT NULL, created_at datetime NOT NULL);
INSERT INTO customers SELECT seq, CONCAT('user', seq, '@example.com'), ELT(1 + seq % 5, 'FR','DE','US','GB','IT')
    FROM seq_1_to_5000;
INSERT INTO orders SELECT seq, 1 + (seq * 7919) % 5000, IF(seq % 100 = 0, 'failed', 'done'), (seq % 1000) / 10,
    TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq * 10 SECOND FROM seq_1_to_100000;
ANALYZE TABLE customers, orders;
"""
WORKLOAD = """-- weight: 100
select id, total from orders where customer_id = 42 order by created_at desc;
-- weight: 50
select id from customers where email = 'user42@example.com';
"""
ORIGINAL_INDEXES = {("customers", "PRIMARY"), ("orders", "PRIMARY")}


def _indexes(url: str) -> set[tuple[str, str]]:
    conn = pymysql.connect(**mysql_connect_args(url))
    with conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
        )
        return {(str(t), str(i)) for t, i in cursor.fetchall()}


@pytest.fixture
def shop(mysql_url: str) -> str:
    mysql_execute(mysql_url, SCHEMA)
    return mysql_url


@pytest.fixture
def copy(shop: str) -> Iterator[str]:
    """A scratch copy of ``shop``: another database on the same server with the same tables and rows."""
    name = unique_name()
    source = shop.rsplit("/", 1)[1]
    mysql_execute(
        shop,
        f"CREATE DATABASE `{name}`;"
        + "".join(
            f"CREATE TABLE `{name}`.{t} LIKE `{source}`.{t}; INSERT INTO `{name}`.{t} SELECT * FROM `{source}`.{t};"
            f"ANALYZE TABLE `{name}`.{t};"
            for t in ("customers", "orders")
        ),
    )
    try:
        yield _with_database(MYSQL_URL, name)
    finally:
        mysql_execute(shop, f"DROP DATABASE IF EXISTS `{name}`")


def _workload(tmp_path: Path) -> str:
    path = tmp_path / "workload.sql"
    path.write_text(WORKLOAD, encoding="utf-8")
    return str(path)


def test_verify_builds_on_the_copy_times_the_workload_and_drops(shop: str, copy: str, tmp_path: Path) -> None:
    advice = index_advise(shop, _workload(tmp_path), budget_mb=50, verify=copy)
    assert advice.verification is not None
    rows = {r["query"].rsplit(":", 1)[1]: r for r in advice.verification.per_query}
    orders, customers = rows["2"], rows["4"]
    assert orders["indexes_used"] == ["orders_customer_id_created_at_idx"] or orders["indexes_used"] == [
        "orders_customer_id_idx"
    ], orders
    assert customers["indexes_used"] == ["customers_email_idx"], customers
    # 100,000 rows scanned before, a handful read by the index after (MariaDB's r_total_time_ms)
    assert orders["after_ms"] * 3 < orders["before_ms"], orders
    assert customers["after_ms"] < customers["before_ms"], customers
    assert advice.verification.total_ratio < 0.5
    assert advice.verification.dropped == ()
    assert advice.report().extra["verification"]["total_time_ratio"] == advice.verification.total_ratio
    assert "executed check on" in " ".join(advice.notes)
    assert _indexes(copy) == ORIGINAL_INDEXES  # the built indexes are gone
    assert _indexes(shop) == ORIGINAL_INDEXES  # and the source was never written


def test_an_index_no_executed_plan_uses_is_reported_unused_and_dropped(copy: str) -> None:
    indexes = [
        ("orders_customer_id_idx", "CREATE INDEX orders_customer_id_idx ON orders (customer_id)"),
        ("orders_total_idx", "CREATE INDEX orders_total_idx ON orders (total)"),
    ]
    queries = [("q1", "select id from orders where customer_id = 7")]
    result, left_out, rounds = verify(parse_url(copy), indexes, queries, runs=5)
    assert left_out == {"orders_total_idx": "no executed plan used it"} and rounds == 2
    assert result.unused == frozenset()  # the second round built orders_customer_id_idx alone
    (timing,) = result.timings
    assert timing.indexes_used == frozenset({"orders_customer_id_idx"})
    assert timing.before_ms > 0 and timing.after_ms < timing.before_ms
    assert result.slower == {}
    assert _indexes(copy) == ORIGINAL_INDEXES


def test_a_hidden_index_is_ignored_in_the_block_and_back_after(copy: str) -> None:
    scratch = ScratchCopy(parse_url(copy), timeout_ms=60_000)
    query = "select id from orders where customer_id = 7"
    try:
        scratch.build(["CREATE INDEX orders_customer_id_idx ON orders (customer_id)"])
        assert _used(scratch, query) == {"orders_customer_id_idx"}
        with scratch.hidden(["ORDERS_CUSTOMER_ID_IDX"]) as able:  # the advisor's spelling, any case
            assert able
            assert _used(scratch, query) == set()
        assert _used(scratch, query) == {"orders_customer_id_idx"}
    finally:
        scratch.drop()
        scratch.close()
    assert _indexes(copy) == ORIGINAL_INDEXES


def test_a_run_past_the_time_limit_is_timed_out(copy: str) -> None:
    scratch = ScratchCopy(parse_url(copy), timeout_ms=200)
    try:
        assert scratch.executed("select sleep(5) from customers limit 1", 3) is None
        assert scratch.executed("select id from customers where id = 1", 1) is not None  # still usable
    finally:
        scratch.close()


def test_a_query_past_the_limit_keeps_the_index_its_plan_uses(copy: str) -> None:
    indexes = [("orders_customer_id_idx", "CREATE INDEX orders_customer_id_idx ON orders (customer_id)")]
    sleepy = "select sleep(0.1) from orders where customer_id = 7"  # 20 rows: 2 s, with or without it
    result, left_out, rounds = verify(parse_url(copy), indexes, [("sleepy", sleepy)], runs=1, timeout_ms=300)
    (timing,) = result.timings
    assert timing.before_timed_out and timing.after_timed_out
    assert timing.indexes_used == frozenset({"orders_customer_id_idx"})  # from EXPLAIN FORMAT=JSON
    assert left_out == {} and rounds == 1
    assert _indexes(copy) == ORIGINAL_INDEXES


def _used(scratch: ScratchCopy, query: str) -> set[str]:
    runs = scratch.executed(query, 1)
    assert runs is not None
    return {name for run in runs for name in plan_indexes(parse_mysql_plan(run.text, "<test>"))}


def test_a_failed_build_still_drops_what_was_built(copy: str) -> None:
    indexes = [
        ("orders_status_idx", "CREATE INDEX orders_status_idx ON orders (status)"),
        ("orders_nosuch_idx", "CREATE INDEX orders_nosuch_idx ON orders (nosuch)"),
    ]
    with pytest.raises(InputError, match="Key column 'nosuch' doesn't exist"):
        verify(parse_url(copy), indexes, [("q1", "select id from orders where status = 'failed'")], runs=1)
    assert _indexes(copy) == ORIGINAL_INDEXES


def test_verify_refuses_the_database_it_advises(shop: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="refusing to build indexes in the database --url names"):
        index_advise(shop, _workload(tmp_path), verify=shop)
    # the same server under another name of the loopback address is the same database
    loopback = shop.replace("127.0.0.1", "localhost")
    assert loopback != shop
    with pytest.raises(InputError, match="refusing to build indexes in the database --url names"):
        index_advise(shop, _workload(tmp_path), verify=loopback)
    result = run("index", "advise", "--url", shop, "--workload", _workload(tmp_path), "--verify", shop)
    assert "refusing to build indexes" in assert_one_line_error(result, 2)
    assert _indexes(shop) == ORIGINAL_INDEXES


def test_a_scratch_url_without_a_database_is_one_clear_line(shop: str, tmp_path: Path) -> None:
    server = shop.rsplit("/", 1)[0]
    with pytest.raises(InputError, match="name the scratch copy's database in the URL"):
        index_advise(shop, _workload(tmp_path), verify=server)
