"""Redis backups on private servers: backup check's RPO and rules, backup manifest, and backup
verify drills on real RDB and AOF files (intact, truncated, a flipped byte, keys changed since the
manifest), always leaving no server and no folder behind."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from dbexpert.api.backup_check import backup_check
from dbexpert.api.backup_manifest import create_manifest, write_manifest
from dbexpert.api.backup_plan import backup_plan
from dbexpert.api.backup_verify import ArtifactKind, verify_backup
from dbexpert.engines.redis.server import PrivateServer
from tests.integration.redis.conftest import client, wait_for


def _fill(server: PrivateServer) -> None:
    db0, db3 = client(server, 0), client(server, 3)
    db0.set("greeting", "hello world")
    db0.set("session:1", "abc", ex=3600)
    db0.rpush("queue", *[f"job{i}" for i in range(2500)])  # more than one LRANGE page
    db0.sadd("tags", *[f"t{i}" for i in range(300)])
    db0.hset("user:1", mapping={"name": "Ada", "email": "ada@example.org"})
    db0.zadd("scores", {"ada": 3.5, "bob": 1})
    db0.xadd("events", {"kind": "signup"})
    db3.set("other", "db")


@pytest.fixture(scope="module")
def source(start_redis) -> PrivateServer:
    server = start_redis({"appendonly": "yes", "appendfsync": "everysec", "save": "3600 1"})
    _fill(server)
    return server


@pytest.fixture(scope="module")
def backups(source, tmp_path_factory) -> dict[str, Path]:
    """An RDB (SAVE) and an AOF directory copied from the source, and a manifest written then."""
    folder = tmp_path_factory.mktemp("redis-backups")
    db = client(source)
    db.save()
    db.bgrewriteaof()
    wait_for(lambda: db.info("persistence")["aof_rewrite_in_progress"] == 0)
    db.set("after-rewrite", "in the incr file")  # logged to the AOF's incr file
    wait_for(lambda: db.info("persistence")["aof_last_write_status"] == "ok")
    shutil.copyfile(source.folder / "dump.rdb", folder / "dump.rdb")
    shutil.copytree(source.folder / "appendonlydir", folder / "appendonlydir")
    write_manifest(create_manifest(str(source.url)), folder / "redis.manifest.json")
    return {
        "rdb": folder / "dump.rdb",
        "aof": folder / "appendonlydir",
        "manifest": folder / "redis.manifest.json",
    }


def _leftovers() -> list[str]:
    folders = [p.name for p in Path(tempfile.gettempdir()).glob("dbexpert-redis-*")]
    return folders


def test_intact_rdb_passes_against_its_manifest_and_measures_the_load(backups):
    before = _leftovers()
    result = verify_backup(backups["rdb"], manifest=backups["manifest"])
    assert result.kind is ArtifactKind.REDIS_RDB
    # the manifest was written after the extra key: db0 differs by that key, db3 matches
    status = {t.table: t.status for t in result.tables}
    assert status == {"db0": "fail", "db3": "pass"}
    assert [f.rule for f in result.findings] == ["backup-redis-keyspace-differs"]
    assert result.restore_seconds is not None and result.restored_bytes
    assert _leftovers() == before


def test_intact_aof_directory_passes_against_the_live_source(backups, source):
    result = verify_backup(backups["aof"], against=str(source.url))
    assert result.kind is ArtifactKind.REDIS_AOF
    assert result.passed, [f.message for f in result.findings]
    assert {t.table for t in result.tables} == {"db0", "db3"}


def test_keys_changed_since_the_manifest_are_caught(backups, source, tmp_path):
    manifest = tmp_path / "now.json"
    client(source).hset("user:1", "name", "Grace")  # same key count, other content
    try:
        write_manifest(create_manifest(str(source.url)), manifest)
    finally:
        client(source).hset("user:1", "name", "Ada")
    result = verify_backup(backups["aof"], manifest=manifest)
    (finding,) = result.findings
    assert finding.rule == "backup-redis-keyspace-differs" and finding.table == "db0"
    assert "different content" in finding.message


def test_a_truncated_rdb_is_caught_by_redis_check_rdb_and_does_not_load(backups, tmp_path):
    cut = tmp_path / "cut.rdb"
    cut.write_bytes(backups["rdb"].read_bytes()[:-200])
    result = verify_backup(cut)
    rules = {f.rule: f for f in result.findings}
    assert "Unexpected EOF" in rules["backup-redis-file-damaged"].message
    assert "backup-redis-load-failed" in rules
    assert not result.passed


def test_a_flipped_byte_in_a_value_fails_the_rdb_crc64(backups, tmp_path):
    data = bytearray(backups["rdb"].read_bytes())
    data[data.index(b"hello world") + 2] ^= 0x01  # still a valid string: only the CRC64 trailer knows
    flipped = tmp_path / "flipped.rdb"
    flipped.write_bytes(bytes(data))
    result = verify_backup(flipped)
    assert "RDB CRC error" in {f.rule: f for f in result.findings}["backup-redis-file-damaged"].message


def test_a_flipped_byte_in_an_aof_passes_redis_check_aof_but_not_the_comparison(backups, source, tmp_path):
    copy = tmp_path / "appendonlydir"
    shutil.copytree(backups["aof"], copy)
    incr = next(copy.glob("*.incr.aof"))
    incr.write_bytes(incr.read_bytes().replace(b"in the incr file", b"in the incr filE"))
    checked = subprocess.run(["redis-check-aof", str(next(copy.glob("*.manifest")))], capture_output=True)
    assert checked.returncode == 0  # AOF has no checksum: the format is intact
    result = verify_backup(copy, against=str(source.url))
    assert [f.rule for f in result.findings] == ["backup-redis-keyspace-differs"]


def test_backup_check_states_the_aof_rpo_and_plan_has_the_runbook(source):
    result = backup_check(str(source.url))
    assert result.rpo["seconds"] == 1 and result.rpo["continuous"] is True
    assert not [f.rule for f in result.findings]
    plan = backup_plan(str(source.url)).markdown()
    assert "BGSAVE" in plan and "appendonlydir" in plan


def test_cli_exit_codes_and_no_secret_in_errors(backups, source, tmp_path, capsys):
    from dbexpert.cli.main import main

    manifest = tmp_path / "cli.json"
    main(["backup", "manifest", str(source.url), "-o", str(manifest)])
    assert "2 databases" in capsys.readouterr().out
    cut = tmp_path / "cut.rdb"
    cut.write_bytes(backups["rdb"].read_bytes()[:100])
    with pytest.raises(SystemExit) as failed:
        main(["backup", "verify", str(cut), "--format", "json"])
    assert failed.value.code == 1
    capsys.readouterr()
    with pytest.raises(SystemExit) as down:
        main(["audit", "redis://admin:top-secret@127.0.0.1:1/0"])
    assert down.value.code == 3
    err = capsys.readouterr().err
    assert "top-secret" not in err and len(err.strip().splitlines()) == 1
