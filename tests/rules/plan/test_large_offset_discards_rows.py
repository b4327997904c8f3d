from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in

RULE = "large-offset-discards-rows"


def test_offset_is_reported_with_a_keyset_rewrite():
    for fixture in ("pg_large_offset.txt", "pg_large_offset.json"):
        [finding] = findings(RULE, fixture)
        assert finding.evidence["rows_discarded"] == 300000 and finding.evidence["rows_returned"] == 20
        assert finding.fix is not None and "LIMIT 20;" in (finding.fix.sql or "")
        assert "orders_pkey" in (finding.fix.sql or "")


def test_sort_key_gives_the_where_shape():
    text = """Limit  (cost=1.0..2.0 rows=10 width=8) (actual time=50.0..50.1 rows=10 loops=1)
  ->  Sort  (cost=1.0..2.0 rows=200000 width=8) (actual time=40.0..48.0 rows=50010 loops=1)
        Sort Key: created_at DESC, id DESC
        Sort Method: top-N heapsort  Memory: 3000kB
        ->  Seq Scan on posts  (cost=0.00..1.00 rows=200000 width=8) (actual time=0.01..10.0 rows=200000 loops=1)
"""
    [finding] = findings_in(RULE, text)
    assert "WHERE (created_at, id) > (:last_created_at, :last_id)" in (finding.fix.sql or "")  # type: ignore[union-attr]


def test_keyset_pages_and_plain_limits_are_clean():
    for fixture in ("pg_keyset.txt", "pg_keyset.json", "noanalyze.txt"):
        assert not findings(RULE, fixture)
    assert not findings(RULE, "pg_large_offset.txt", min_discarded_rows=500000)
