"""backup-redis-keyspace-differs: a database's key count or checksum differs after loading."""

from __future__ import annotations

from dbexpert.model import Engine
from dbexpert.model.backup import BackupProblem, BackupProblemKind, TableSums
from tests.rules.ops.redis_helpers import redis_verify_findings

RULE = "backup-redis-keyspace-differs"


def test_fires_with_keys_in_the_message():
    problem = BackupProblem(BackupProblemKind.TABLE_CONTENT_DIFFERS, "dump.rdb", Engine.REDIS, table="db0",
                            detail="9 rows restored, 10 expected", expected=TableSums(10, "1"), found=TableSums(9, "2"))  # fmt: skip
    (found,) = redis_verify_findings(RULE, problem)
    assert found.message == "db0: 9 keys restored, 10 expected" and found.evidence["expected_keys"] == 10


def test_clean_for_relational_tables():
    problem = BackupProblem(
        BackupProblemKind.TABLE_CONTENT_DIFFERS, "a.dump", Engine.POSTGRES, table="public.t"
    )
    assert not redis_verify_findings(RULE, problem)
