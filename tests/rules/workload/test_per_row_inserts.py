from __future__ import annotations

from tests.rules.workload.helpers import event, run

RULE = "per-row-inserts"


def test_per_row_inserts_in_one_request():
    events = [
        event("imp", f"INSERT INTO order_items (order_id, sku, qty) VALUES (42, 'S-{i}', {i})", i * 0.001, 0.6, line=i + 1)
        for i in range(12)
    ]
    (finding,) = run(events, RULE)
    assert finding.evidence["count"] == 12
    assert finding.fix.sql == "INSERT INTO order_items (order_id, sku, qty) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9), …;"
    assert "bulk_create" in finding.fix.description


def test_few_inserts_multi_row_inserts_and_other_requests_are_clean():
    few = [event("a", f"INSERT INTO t (a) VALUES ({i})", i * 0.001) for i in range(4)]
    multi = [event("b", f"INSERT INTO t (a) VALUES ({i}), ({i + 1})", i * 0.001) for i in range(8)]
    spread = [event(f"c{i}", f"INSERT INTO t (a) VALUES ({i})", i * 0.001) for i in range(8)]
    assert not run(few + multi + spread, RULE)


def test_inserts_are_not_n_plus_one():
    events = [event("imp", f"INSERT INTO t (a) VALUES ({i})", i * 0.001, 0.6) for i in range(8)]
    assert not run(events, "n-plus-one-queries")
