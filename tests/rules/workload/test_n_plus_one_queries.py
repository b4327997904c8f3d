from __future__ import annotations

from tests.rules.workload.helpers import event, run

RULE = "n-plus-one-queries"


def _storm(request="r1", n=8, start=0.0, ms=0.3, gap=0.001):
    events = [event(request, "SELECT id, customer_id FROM orders WHERE shop_id = 3", start, 1.0, line=1)]
    for i in range(n):
        events.append(event(request, f"SELECT id, name FROM customers WHERE id = {100 + i}", start + 0.002 + i * gap, ms, line=2 + i))
    return events


def test_classic_n_plus_one_with_source_and_batched_query():
    (finding,) = run(_storm(), RULE)
    assert finding.evidence["count"] == 8 and finding.evidence["pattern"] == "sequential"
    assert finding.evidence["source_shape"] == "select id, customer_id from orders where shop_id = ?"
    assert finding.evidence["total_ms"] == 2.4
    assert finding.fix.sql == "SELECT id, name FROM customers WHERE id = ANY($1);"
    assert "selectinload" in finding.fix.description
    assert (finding.location.path, finding.location.line) == ("trace.jsonl", 2)


def test_short_storm_below_sentry_time_threshold_is_found_but_a_tiny_one_is_not():
    assert run(_storm(n=6, ms=0.5), RULE)  # 3 ms in all: Sentry's 50 ms would miss it
    assert not run(_storm(n=6, ms=0.1), RULE)  # 0.6 ms: under the 1 ms floor
    assert not run(_storm(n=4), RULE)  # fewer than 5 different values
    assert run(_storm(n=4), RULE, min_repeats=3)


def test_bind_parameters_tell_the_values_apart():
    events = [event("r", "SELECT * FROM items WHERE order_id = $1", i * 0.001, 0.5, params=(str(i),)) for i in range(6)]
    (finding,) = run(events, RULE)
    assert finding.evidence["distinct_values"] == 6


def test_alternating_two_shapes_is_one_finding():
    events = [event("r", "SELECT * FROM orders WHERE user_id = 1", 0.0, 1.0)]
    for i in range(6):
        events.append(event("r", f"SELECT * FROM customers WHERE id = {i}", 0.01 + i * 0.002, 0.3))
        events.append(event("r", f"SELECT * FROM addresses WHERE customer_id = {i}", 0.011 + i * 0.002, 0.3))
    (finding,) = run(events, RULE)
    assert finding.evidence["pattern"] == "alternating"
    assert finding.evidence["partner_shape"] == "select * from addresses where customer_id = ?"
    assert finding.fix.sql.splitlines() == [
        "SELECT * FROM customers WHERE id = ANY($1);",
        "SELECT * FROM addresses WHERE customer_id = ANY($1);",
    ]


def test_concurrent_repeats_overlap_in_time():
    # Promise.all(ids.map(id => db.query(...))): all start within a millisecond, each takes 5 ms
    events = [event("r", f"SELECT * FROM products WHERE id = {i}", 1.0 + i * 0.0001, 5.0) for i in range(10)]
    (finding,) = run(events, RULE)
    assert finding.evidence["pattern"] == "concurrent" and "concurrently" in finding.message


def test_once_per_request_across_many_requests_is_not_reported():
    events = [event(f"req-{i}", f"SELECT * FROM users WHERE id = {i}", i * 0.5, 1.0) for i in range(50)]
    assert not run(events, RULE)


def test_pagination_loops_are_not_reported():
    offsets = [event("r", f"SELECT * FROM events ORDER BY id LIMIT 100 OFFSET {i * 100}", i * 0.01, 2.0) for i in range(10)]
    keyset = [event("k", f"SELECT * FROM events WHERE id > {i * 100} ORDER BY id LIMIT 100", i * 0.01, 2.0) for i in range(10)]
    assert not run(offsets + keyset, RULE)


def test_loops_over_distinct_tables_are_not_reported():
    tables = ["orders", "customers", "products", "invoices", "payments", "shipments", "refunds"]
    events = [event("r", f"SELECT count(*) FROM {t} WHERE tenant_id = 7", i * 0.01, 2.0) for i, t in enumerate(tables)]
    assert not run(events, RULE)


def test_identical_repeats_are_duplicates_not_n_plus_one():
    events = [event("r", "SELECT * FROM settings WHERE tenant_id = 7", i * 0.01, 2.0) for i in range(8)]
    assert not run(events, RULE)
    assert run(events, "duplicate-queries")


def test_mysql_batched_query_uses_in():
    from dataclasses import replace

    from dbexpert.model import Engine

    events = [replace(e, engine=Engine.MYSQL) for e in _storm()]
    (finding,) = run(events, RULE)
    assert finding.fix.sql == "SELECT id, name FROM customers WHERE id IN (?, ?, …);"
