"""Redis replies -> health snapshot, without a server; and the session's read-only gate."""

from __future__ import annotations

import pytest

from dbexpert.api.backup_check import recovery_point
from dbexpert.engines.redis.connect import check_read_only
from dbexpert.engines.redis.health import build_snapshot
from dbexpert.model import DbexpertError

INFO = {
    "redis_version": "7.0.15",
    "used_memory": 1048576,
    "server_time_usec": 1_700_000_600_000_000,
    "rdb_last_save_time": 1_700_000_000,
    "rdb_changes_since_last_save": 12,
    "errorstat_OOM": {"count": 4},
    "db0": {"keys": 10, "expires": 2, "avg_ttl": 0},
    "db3": {"keys": 1, "expires": 0, "avg_ttl": 0},
    "slave0": {"ip": "10.0.0.2", "port": 6379, "state": "online", "offset": 10, "lag": 0},
}
SLOWLOG = [
    {"id": 3, "start_time": 1_700_000_000, "duration": 12000, "command": b"SET secret-key secret-value"}
]


def test_replies_map_to_snapshot_without_command_arguments():
    snapshot = build_snapshot(INFO, {"save": "3600 1", "appendonly": "no"}, slowlog=SLOWLOG, sampled={0: 10})
    assert snapshot.facts["oom_rejections"] == 4 and snapshot.facts["sampled_keys"] == 10
    assert [dict(r) for r in snapshot.rows("keyspace")] == [
        {"db": 0, "keys": 10, "expires": 2},
        {"db": 3, "keys": 1, "expires": 0},
    ]
    assert snapshot.rows("replicas")[0]["ip"] == "10.0.0.2"
    assert dict(snapshot.rows("slowlog")[0]) == {
        "id": 3,
        "start_time": 1_700_000_000,
        "duration_us": 12000,
        "command": "SET",
    }
    assert "secret" not in str(snapshot.results)


def test_rpo_from_snapshots_alone_is_the_age_of_the_last_save():
    snapshot = build_snapshot(INFO, {"save": "3600 1 300 100", "appendonly": "no"})
    rpo = recovery_point(snapshot)
    assert rpo["seconds"] == 600 and not rpo["continuous"]
    assert "3600 s between snapshots" in rpo["recovery_point"]
    assert "10.0.0.2:6379" in rpo["recovery_point"]


def test_rpo_with_aof_everysec_is_about_a_second():
    rpo = recovery_point(build_snapshot(INFO, {"save": "", "appendonly": "yes", "appendfsync": "everysec"}))
    assert rpo["seconds"] == 1 and rpo["continuous"]


@pytest.mark.parametrize(
    "command", [("SET", "k", "v"), ("KEYS", "*"), ("FLUSHDB",), ("CONFIG", "SET", "x", "y"), ()]
)
def test_writes_and_keys_are_refused(command):
    with pytest.raises(DbexpertError, match="read-only"):
        check_read_only(command)


def test_reads_pass_the_gate():
    for command in (
        ("INFO", "memory"),
        ("CONFIG", "GET", "maxmemory"),
        ("SCAN", 0, "COUNT", 10),
        ("memory", "usage", "k"),
    ):
        check_read_only(command)
