from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "hash-spills-to-disk"


def test_hash_join_in_batches_reports_the_memory_it_needed():
    for fixture, line in (("pg_hash_batches.txt", 8), ("pg_hash_batches.json", 58)):
        [finding] = findings(RULE, fixture)
        assert finding.location.line == line and "hash join on customers" in finding.message
        assert finding.evidence["batches"] == 16 and finding.evidence["needed_kb"] == 78 * 16
        assert finding.fix is not None and finding.fix.sql == "SET LOCAL work_mem = '4MB';"


def test_hash_aggregate_written_to_disk():
    for fixture in ("pg_hashagg_disk.txt", "pg_hashagg_disk.json"):
        [finding] = findings(RULE, fixture)
        assert finding.evidence["disk_kb"] == 13336 and finding.evidence["batches"] == 341
        assert finding.fix is not None and finding.fix.sql == "SET LOCAL work_mem = '16MB';"


def test_one_batch_hashes_are_clean():
    for fixture in ("pg_hash_one_batch.txt", "pg_hash_one_batch.json", "pg_parallel_launched.json"):
        assert not findings(RULE, fixture)
    assert not findings(RULE, "pg_hash_batches.txt", min_batches=32)
