from dbexpert.rules.exact.migration_locks_observed import RULE
from tests.rules.exact_helpers import MigrationRun, check, migration, trace


def test_reports_strong_locks_and_rewrites():
    (finding,) = check(RULE, MigrationRun(migration(), traces=(trace(),)))
    assert "ACCESS EXCLUSIVE on public.t" in finding.message and "rewrote public.t" in finding.message
    assert finding.evidence["observed"]["rewrite"] is True


def test_silent_when_linted_or_weak():
    linted = MigrationRun(migration(), traces=(trace(),), linted_lines=frozenset({("2_t.up.sql", 1)}))
    assert not check(RULE, linted)
    weak = trace(
        locks=(("public.t", "SHARE UPDATE EXCLUSIVE"),), rewritten=(), blocks_reads=False, blocks_writes=False
    )
    assert not check(RULE, MigrationRun(migration(), traces=(weak,)))
