"""The Redis ops audit on private servers: a healthy one gives no ops findings; planted faults
(persistence off and a failing BGSAVE, evictions/OOM with tiny maxmemory, slow log threshold 0, a
big key) give the rules that name them. The session itself cannot write."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbexpert.api.audit import audit
from dbexpert.api.config import Config
from dbexpert.engines import connect
from dbexpert.engines.url import parse_url
from dbexpert.model import Category, ConnectError, DbexpertError
from tests.integration.redis.conftest import client, wait_for


def _rules(url: str, **config: object) -> dict[str, list]:
    result = audit([url], Config(**config))  # type: ignore[arg-type]
    found: dict[str, list] = {}
    for finding in result.findings:
        found.setdefault(finding.rule, []).append(finding)
    return found


@pytest.fixture(scope="module")
def healthy(start_redis) -> str:
    server = start_redis({"maxmemory": "64mb", "maxmemory-policy": "allkeys-lru", "appendonly": "yes",
                          "appendfsync": "everysec", "save": "3600 1"})  # fmt: skip
    db = client(server)
    for i in range(200):
        db.set(f"user:{i}", "x" * 50, ex=3600)
    db.hset("config", mapping={"a": "1", "b": "2"})
    return str(server.url)


@pytest.fixture(scope="module")
def faulty(start_redis, tmp_path_factory) -> str:
    doomed = tmp_path_factory.mktemp("gone")
    # persistence off (no save points, no AOF); dir removed after start: the next BGSAVE cannot write
    server = start_redis({"slowlog-log-slower-than": "0", "dir": str(doomed)})
    Path(doomed).rmdir()
    db = client(server)
    db.set("blob", b"x" * (6 * 1024 * 1024))
    db.bgsave()
    wait_for(lambda: db.info("persistence")["rdb_bgsave_in_progress"] == 0)
    return str(server.url)


@pytest.fixture(scope="module")
def full(start_redis) -> str:
    server = start_redis({"maxmemory": "3mb", "maxmemory-policy": "volatile-lru"})
    db = client(server)
    rejected = 0
    for i in range(4000):
        try:
            db.set(f"k:{i}", "v" * 1000)
        except Exception:  # OOM command not allowed: what the rule counts
            rejected += 1
    assert rejected
    return str(server.url)


def test_a_healthy_server_gives_no_ops_findings(healthy):
    result = audit([healthy])
    ops = [f for f in result.findings if f.category in (Category.OPS, Category.SAFETY)]
    assert ops == [], [f"{f.rule}: {f.message}" for f in ops]


def test_persistence_off_failing_bgsave_slow_log_and_big_key(faulty):
    found = _rules(faulty)
    assert "backup-redis-persistence-off" in found
    assert "rdb_last_bgsave_status" in found["backup-redis-persistence-failing"][0].evidence
    assert "redis-maxmemory-unset" in found
    (big,) = found["redis-big-keys"]
    assert big.evidence["key"] == "blob" and big.evidence["sampled_keys"] >= 1
    slow = {
        f.evidence["command"]
        for f in _rules(faulty, thresholds={"redis-slow-commands": {"min_ms": 0}})["redis-slow-commands"]
    }
    assert "SET" in slow
    for finding in found.get("redis-slow-commands", []):
        assert "x" * 20 not in str(finding.evidence)  # command names only, never arguments


def test_memory_full_near_limit_and_keys_without_ttl(full):
    found = _rules(full)
    assert found["redis-memory-full"][0].evidence["oom_rejections"] > 0
    assert "redis-memory-near-limit" in found
    assert "redis-keys-without-ttl" in found
    assert "redis-maxmemory-policy-mismatch" not in found  # volatile-lru on an assumed cache is allowed


def test_the_session_refuses_writes_and_keys(healthy):
    with connect(parse_url(healthy)) as session:
        for command in (("SET", "k", "v"), ("KEYS", "*"), ("FLUSHALL",), ("CONFIG", "SET", "maxmemory", "1")):
            with pytest.raises(DbexpertError, match="read-only"):
                session.call(*command)  # type: ignore[attr-defined]


def test_unreachable_or_wrong_password_is_one_line_without_the_secret(healthy):
    url = parse_url(healthy)
    with pytest.raises(ConnectError) as refused:
        connect(f"redis://:s3cret-pw@127.0.0.1:{url.port}/0")
    assert "s3cret-pw" not in str(refused.value)
    with pytest.raises(ConnectError):
        connect("redis://127.0.0.1:1/0")
