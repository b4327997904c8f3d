"""backup-redis-file-damaged: redis-check-rdb / redis-check-aof messages become one finding."""

from __future__ import annotations

from dbexpert.model import Engine
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from tests.rules.ops.redis_helpers import redis_verify_findings

RULE = "backup-redis-file-damaged"


def test_fires_on_a_failed_check_for_redis_only():
    problem = BackupProblem(BackupProblemKind.INTEGRITY_CHECK_FAILED, "dump.rdb", Engine.REDIS,
                            subject="redis-check-rdb", details=("[offset 128] RDB CRC error",))  # fmt: skip
    (found,) = redis_verify_findings(RULE, problem)
    assert "RDB CRC error" in found.message and found.location.path == "dump.rdb"


def test_clean_for_other_problems_and_engines():
    other = BackupProblem(BackupProblemKind.RESTORE_FAILED, "dump.rdb", Engine.REDIS, subject="redis-server")
    sqlite = BackupProblem(BackupProblemKind.INTEGRITY_CHECK_FAILED, "a.db", Engine.SQLITE, details=("x",))
    assert not redis_verify_findings(RULE, other)
    assert not redis_verify_findings(RULE, sqlite)
