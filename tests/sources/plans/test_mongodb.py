"""MongoDB explain() output at every verbosity, from both query engines, as JSON or as mongosh prints it.

No MongoDB server exists here: the fixtures under fixtures/mongodb/ are hand-written from the MongoDB
manual's explain-results pages (https://www.mongodb.com/docs/manual/reference/explain-results/ and
the "Analyze Query Performance" tutorial), keeping the field names, nesting and value formats shown
there for 4.2 (legacy shell), 5.0 and 6.0 (classic and slot-based engines, sharded clusters).
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.model import Engine, InputError
from dbexpert.model.plan import Plan
from dbexpert.sources.plans import parse_plan, sniff_engine
from dbexpert.sources.plans.mongodb import parse_mongodb_plan
from tests.sources.plans.fixtures import FIXTURES, fixture_text, load

MONGODB = sorted(p.name for p in (FIXTURES / "mongodb").iterdir())


def _shape(plan: Plan) -> list[tuple[object, ...]]:
    return [(n.node_type, n.relation, n.index_name, n.actual_rows, n.filter, n.index_cond) for n in plan.nodes()]


def _as_mongosh(text: str) -> str:
    """The same document as mongosh prints it: bare keys, single-quoted strings."""
    text = re.sub(r'"([A-Za-z_]\w*)"(\s*:)', r"\1\2", text)
    return re.sub(r'"((?:[^"\\]|\\.)*)"', lambda m: "'" + m.group(1).replace("'", "\\'") + "'", text)


@pytest.mark.parametrize("name", MONGODB)
def test_every_fixture_is_recognised_and_parses(name: str):
    text = fixture_text(f"mongodb/{name}")
    assert sniff_engine(text) is Engine.MONGODB
    plan = parse_plan(text, name)
    assert plan.engine is Engine.MONGODB and plan.attrs["namespace"]
    assert all(n.line for n in plan.nodes())


def test_execution_stats_per_stage():
    plan = load("mongodb/ixscan_execution_stats.json")
    assert plan.analyzed and plan.execution_time == 4.0 and plan.attrs["verbosity"] == "executionStats"
    assert (plan.attrs["nReturned"], plan.attrs["totalKeysExamined"], plan.attrs["totalDocsExamined"]) == (
        2000,
        2000,
        2000,
    )
    fetch = plan.root
    [ixscan] = fetch.children
    assert fetch.node_type == "FETCH" and fetch.attrs["docsExamined"] == 2000 and fetch.line == 32
    assert (ixscan.node_type, ixscan.relation, ixscan.schema, ixscan.index_name) == ("IXSCAN", "orders", "shop", "status_1")
    assert ixscan.attrs["keyPattern"] == {"status": 1} and ixscan.attrs["keysExamined"] == 2000
    assert json.loads(ixscan.index_cond or "") == {"status": ['["refunded", "refunded"]']}
    assert (ixscan.actual_rows, ixscan.actual_total_time, ixscan.attrs["works"]) == (2000, 0.0, 2001)
    assert ixscan.line == 45


def test_query_planner_only_is_not_analyzed():
    plan = load("mongodb/collscan_query_planner.json")
    assert not plan.analyzed and plan.attrs["verbosity"] == "queryPlanner" and plan.execution_time is None
    assert plan.root.node_type == "COLLSCAN" and plan.root.line == 18
    assert json.loads(plan.root.filter or "")["$and"][0] == {"customer_id": {"$eq": 42}}
    assert plan.attrs["command"]["filter"] == {"customer_id": 42, "created_at": {"$gte": "2024-01-01"}}


def test_sort_stage():
    sort = load("mongodb/sort_disk.json").root
    assert sort.node_type == "SORT" and sort.sort_key == ("created_at DESC",) and sort.sort_space_type == "Disk"
    assert sort.attrs["memLimit"] == 104857600 and sort.attrs["usedDisk"] is True
    legacy = load("mongodb/sort_key_generator_legacy.txt")
    assert [n.node_type for n in legacy.nodes()] == ["SORT", "SORT_KEY_GENERATOR", "COLLSCAN"]
    assert legacy.attrs["version"] == "4.2.24" and legacy.root.sort_key == ("total DESC",)


def test_slot_based_engine_from_mongosh():
    plan = load("mongodb/sbe_collscan_mongosh.txt")
    assert plan.attrs["query_engine"] == "sbe" and plan.attrs["totalDocsExamined"] == 1250000
    # The tree is the query plan: SBE's execution stages are lower-level operators without a match,
    # so only the root carries the totals.
    assert plan.root.node_type == "COLLSCAN" and plan.root.line == 20 and plan.analyzed
    assert (plan.root.actual_rows, plan.root.actual_total_time) == (118, 412)
    assert "docsExamined" not in plan.root.attrs
    assert plan.attrs["parsed_query"]["$and"][0] == {"customer": {"$eq": "65a1f0c2e4b0a1b2c3d4e5f6"}}


def test_sharded_all_plans_execution():
    plan = load("mongodb/sharded_all_plans.json")
    assert plan.attrs["verbosity"] == "allPlansExecution" and plan.attrs["namespace"] == "shop.events"
    merge = plan.root
    assert merge.node_type == "SHARD_MERGE" and [c.attrs["shardName"] for c in merge.children] == ["shard01", "shard02"]
    scans = [n for n in plan.nodes() if n.node_type == "COLLSCAN"]
    assert [n.attrs["docsExamined"] for n in scans] == [210000, 190000]
    assert [n.line for n in scans] == [72, 98]


@pytest.mark.parametrize("name", ["ixscan_execution_stats.json", "sort_disk.json", "docs_examined.json"])
def test_mongosh_rendering_reads_like_json(name: str):
    text = fixture_text(f"mongodb/{name}")
    mongosh = _as_mongosh(text)
    assert "'" in mongosh and '"stage"' not in mongosh
    assert sniff_engine(mongosh) is Engine.MONGODB
    assert _shape(parse_plan(mongosh)) == _shape(parse_plan(text))


def test_shell_types_and_aggregation_cursor():
    text = """test> db.orders.aggregate([...]).explain()
{
  explainVersion: '1',
  stages: [
    {
      '$cursor': {
        queryPlanner: {
          namespace: 'shop.orders',
          parsedQuery: { customer: { '$eq': ObjectId("65a1f0c2e4b0a1b2c3d4e5f6") }, at: { '$lt': ISODate("2024-01-01T00:00:00Z") } },
          winningPlan: { stage: 'COLLSCAN', filter: { n: { '$gt': NumberLong("5") } }, direction: 'forward', },
          rejectedPlans: [],
        },
      },
    },
    { '$group': { _id: '$customer', n: { '$sum': Int32(1) } } },
  ],
  operationTime: Timestamp({ t: 1700000000, i: 1 }),
  ok: 1,
}
test>"""
    plan = parse_plan(text)
    assert plan.root.node_type == "COLLSCAN" and plan.root.line == 10
    assert json.loads(plan.root.filter or "") == {"n": {"$gt": 5}}
    assert plan.attrs["parsed_query"]["at"] == {"$lt": "2024-01-01T00:00:00Z"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "<stdin>:1:1"),
        ("hello", "<stdin>:1:1"),
        ('{"queryPlanner": {"winningPlan": {"stage": "COLLSCAN"', "<stdin>:1:54"),
        ('{"queryPlanner": {\n  "winningPlan": {"stage": "IXSCAN", "nReturned": "x"}}}', "<stdin>:2:1"),
        ('{"query": 1}', "<stdin>:1:1"),
        ('{"queryPlanner": {"winningPlan": {"inputStage": {}}}}', "<stdin>:1:1"),
        ("{\n  queryPlanner: {\n    winningPlan: { stage: 'COLLSCAN }\n  }\n}", "<stdin>:3:27"),
        ("{\n  queryPlanner: {\n    winningPlan: { stage: 'COLLSCAN', },\n", "<stdin>:4:1"),
        ('{"queryPlanner": {"winningPlan": {"stage": "FETCH", "inputStage": [1]}}}', "<stdin>:1:1"),
    ],
)
def test_broken_input_is_an_input_error_with_a_position(text: str, where: str):
    with pytest.raises(InputError) as error:
        parse_mongodb_plan(text)
    assert str(error.value).startswith(where + ":"), str(error.value)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MONGODB), st.integers(0, 6000), st.text(max_size=5))
def test_any_cut_or_edit_parses_or_fails_cleanly(name: str, cut: int, junk: str):
    text = fixture_text(f"mongodb/{name}")
    try:
        parse_mongodb_plan(text[:cut] + junk + text[cut + len(junk) :])
    except InputError:
        pass
