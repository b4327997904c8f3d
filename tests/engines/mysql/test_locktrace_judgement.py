"""How a traced MySQL statement is judged from what the sampler saw (pure: no server)."""

from dbexpert.engines.mysql.locktrace import _judged, _Observed, _Probe


def _seen(states, probes=()):
    return _Observed(states=list(states), probes=list(probes))


def test_a_table_copy_blocks_writes_whatever_a_probe_caught_at_its_edges():
    racy = [_Probe("t", "copy to tmp table", reads_blocked=True, writes_blocked=False)]
    assert _judged(
        _seen(["setup", "copy to tmp table", "rename result table"], racy), "ALTER TABLE t MODIFY c BIGINT"
    ) == (
        False,
        True,
        "state",
    )


def test_an_in_place_alter_blocks_what_its_lock_clause_says():
    states = ["Preparing for alter table", "altering table"]
    assert _judged(_seen(states), "ALTER TABLE t ADD INDEX i (c)") == (False, False, "state")
    assert _judged(_seen(states), "ALTER TABLE t ADD INDEX i (c), LOCK=SHARED") == (False, True, "state")
    assert _judged(_seen(states), "ALTER TABLE t ADD INDEX i (c), lock = exclusive") == (True, True, "state")


def test_without_a_telling_state_the_probes_majority_decides():
    probes = [_Probe("t", "Sending data", True, True), _Probe("t", "Sending data", True, False)]
    assert _judged(_seen(["Sending data"], probes), "UPDATE t SET a = 1") == (True, False, "probe")
    assert _judged(_seen([]), "SELECT 1") == (False, False, "state")
