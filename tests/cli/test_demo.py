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
    assert all(f["mode"] == "live" for f in document["findings"])


def test_demo_text_report_is_readable():
    result = subprocess.run(
        [sys.executable, "-m", "dbexpert", "demo"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("dbexpert audit — demo shop database")
    assert "fix (" in result.stdout
