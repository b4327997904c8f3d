"""`dbexpert demo`: the README's main job. It must exercise every rule that applies to SQLite."""

import json
import subprocess
import sys

from dbexpert.model import Engine
from dbexpert.rules.registry import registry


def test_demo_runs_and_every_sqlite_rule_fires():
    result = subprocess.run(
        [sys.executable, "-m", "dbexpert", "demo", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    fired = {f["rule"] for f in document["findings"]}
    sqlite_rules = {r.name for r in registry() if Engine.SQLITE in r.engines and r.enabled}
    assert sqlite_rules - fired == set(), f"rules the demo does not exercise: {sorted(sqlite_rules - fired)}"
    assert document["summary"]["mode"] == "live"
    # The database, its queries and plans are read live; the code is read as files; the backups are
    # read in full and compared (exact); the trace is a file whose timings were measured on a copy.
    expected = {"app": "static", "web": "static", "trace.jsonl": "static", "backups": "exact"}
    for f in document["findings"]:
        source = (f["location"]["path"] or "").split("/")[0]
        assert f["mode"] == expected.get(source, "live"), f


def test_demo_text_report_is_readable():
    result = subprocess.run(
        [sys.executable, "-m", "dbexpert", "demo"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("dbexpert audit — demo shop database")
    assert "fix (" in result.stdout
    header = result.stdout.splitlines()[0]
    for part in (
        "queries.sql",
        "4 plans",
        "4 code files",
        "trace.jsonl (49 statements)",
        "3 nightly backups",
    ):
        assert part in header
    # Findings are grouped by file: each code file, the trace and each backup under its own heading.
    for heading in (
        "app/orders.py  (",
        "web/routes/cart.ts  (",
        "trace.jsonl  (",
        "backups/shop-2024-06-02.backup  (",
    ):
        assert f"\n{heading}" in result.stdout, heading


def _run_json(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "dbexpert", "demo", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_demo_tour_locates_code_trace_and_backup_findings(tmp_path):
    document = _run_json("--save", str(tmp_path / "shop.db"))
    where = {(f["rule"], f["location"]["path"], f["location"]["line"]) for f in document["findings"]}
    # Each planted N+1 flaw, at the line its comment announces.
    assert ("lazy-load-in-loop", "app/orders.py", 14) in where
    assert ("query-in-loop", "app/orders.py", 22) in where
    assert ("prefetch-bypassed", "app/catalog/views.py", 26) in where
    assert ("per-row-write-in-loop", "app/catalog/views.py", 35) in where
    assert ("query-in-loop", "web/routes/cart.ts", 10) in where
    assert ("per-row-write-in-loop", "web/routes/cart.ts", 19) in where
    code = [f for f in document["findings"] if (f["location"]["path"] or "").startswith(("app/", "web/"))]
    assert len(code) == 6, "the functions marked clean must stay clean"
    # One finding per flawed request of the trace, none for the clean ones.
    trace = {f["rule"]: f for f in document["findings"] if f["location"]["path"] == "trace.jsonl"}
    assert set(trace) == {"n-plus-one-queries", "per-row-inserts", "duplicate-queries"}
    assert trace["n-plus-one-queries"]["evidence"]["count"] == 25
    assert trace["n-plus-one-queries"]["evidence"]["total_ms"] >= 1.0  # measured, above the rule's floor
    assert trace["per-row-inserts"]["evidence"]["count"] == 8
    assert trace["duplicate-queries"]["evidence"]["identical_runs"] == 3
    # Each backup fails its own way.
    backups = {
        (f["location"]["path"], f["rule"])
        for f in document["findings"]
        if (f["location"]["path"] or "").startswith("backups/")
    }
    assert backups == {
        ("backups/shop-2024-06-01.backup", "backup-table-content-differs"),
        ("backups/shop-2024-06-02.backup", "backup-table-content-differs"),
        ("backups/shop-2024-06-02.backup", "backup-schema-object-missing"),
        ("backups/shop-2024-06-03.backup", "backup-integrity-check-failed"),
    }
    summary = document["summary"]
    assert (summary["code_files"], summary["trace_statements"], summary["backups"]) == (4, 49, 3)
    assert summary["backups_failed"] == 3
    # --save keeps what the report points at, under the same names.
    for name in (
        "shop.db",
        "queries.sql",
        "app/orders.py",
        "app/models.py",
        "app/catalog/views.py",
        "web/routes/cart.ts",
        "trace.jsonl",
        "backups/shop-2024-06-01.backup",
        "backups/shop-2024-06-02.backup",
        "backups/shop-2024-06-03.backup",
    ):
        assert (tmp_path / name).is_file(), name
    lines = (tmp_path / "trace.jsonl").read_text().splitlines()
    assert len(lines) == 49
    first = json.loads(lines[0])
    assert first["request_id"] == "req-0001" and first["db.system"] == "sqlite" and first["duration_ms"] > 0


def test_demo_is_deterministic_apart_from_timings():
    def shape(document: dict) -> list[tuple]:
        return sorted(
            (
                f["rule"],
                f["location"]["path"] or "",
                f["location"]["line"] or 0,
                f["location"]["object"] or "",
            )
            for f in document["findings"]
        )

    assert shape(_run_json()) == shape(_run_json())
