"""A generated PostgreSQL log (benchmarks/generate_pg_log.py) grouped exactly as its truth says,
and the fingerprint's fast path agreeing with its full normalization on every statement in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.model import Engine
from dbexpert.model.workload import QueryEvent
from dbexpert.sources.logs import ReadOptions, read_events
from dbexpert.sql import fingerprint as fp
from tests.files import load_benchmark


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    log = tmp_path_factory.mktemp("generated") / "postgresql.log"
    load_benchmark("generate_pg_log").generate(log, 3 << 20, seed=7, garbage_every=1000)
    return log


def test_grouping_matches_the_truth_event_by_event(generated: Path):
    result = load_benchmark("workload_pg_log").check_grouping(generated, Path(f"{generated}.truth"))
    assert result["exact"], result
    assert result["events"] >= 9000 and result["groups"] > 1000
    assert result["problems"] == result["events"] // 1000  # one garbage line every 1,000 events


def test_fast_path_equals_full_normalization_on_the_generated_statements(generated: Path):
    checked = 0
    for event in read_events(generated, ReadOptions(format="postgres-stderr")):
        if isinstance(event, QueryEvent):
            full = fp._fingerprint.__wrapped__(event.sql, Engine.POSTGRES)
            assert fp.fingerprint(event.sql) == full, event.sql
            checked += 1
    assert checked >= 9000


_TRICKY_TEXT = st.text(alphabet="ab1.'\"-/*$\\eExX ,()[]:?#`\n%sNUL;=<>+9", max_size=40)


@settings(max_examples=1000, deadline=None)
@given(_TRICKY_TEXT, st.sampled_from([Engine.POSTGRES, Engine.MYSQL, Engine.SQLITE]))
def test_fast_path_never_disagrees_on_lexically_tricky_text(text: str, engine: Engine):
    sql = f"SELECT a FROM t WHERE b = {text}"
    skeleton = fp._skeleton(sql, engine)
    if skeleton is not None:  # the fast path applies: it must give the full normalization's shape
        assert fp._fingerprint(skeleton, engine).id == fp._fingerprint.__wrapped__(sql, engine).id, (
            sql,
            skeleton,
        )
