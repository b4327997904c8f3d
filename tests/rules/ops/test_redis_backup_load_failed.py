"""backup-redis-load-failed: the private server's error becomes the finding."""

from __future__ import annotations

from dbexpert.model import Engine
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from tests.rules.ops.redis_helpers import redis_verify_findings

RULE = "backup-redis-load-failed"


def test_fires_when_redis_server_cannot_load():
    problem = BackupProblem(BackupProblemKind.RESTORE_FAILED, "dump.rdb", Engine.REDIS,
                            subject="redis-server", detail="Unexpected EOF reading RDB file")  # fmt: skip
    (found,) = redis_verify_findings(RULE, problem)
    assert "Unexpected EOF" in found.message


def test_clean_for_postgres_restores():
    problem = BackupProblem(BackupProblemKind.RESTORE_FAILED, "a.dump", Engine.POSTGRES, subject="pg_restore")
    assert not redis_verify_findings(RULE, problem)
