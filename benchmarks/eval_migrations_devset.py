"""Measure `migrations lint` on the labelled dev set: precision/recall of "unsafe", and named problems.

    python benchmarks/eval_migrations_devset.py [DEVSET_DIR]

DEVSET_DIR defaults to ../shared/devsets/migrations next to the repository; without it the script
says so and exits 0 (a user's clone has no dev set). Each snippet is linted alone, as one plain SQL
migration (autocommit unless it says BEGIN), with the PostgreSQL version its label assumes.
A problem counts as named when every expected concept is a fired rule's name or alias.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dbexpert.api.config import Config
from dbexpert.api.migrations import is_unsafe, lint_sql
from dbexpert.model import Engine, Version
from dbexpert.rules.registry import registry

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "devsets" / "migrations"


def names_of(rule_name: str) -> set[str]:
    rule = registry().get(rule_name)
    return {rule.name, *rule.aliases}


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    expected_file = folder / "expected.json"
    if not expected_file.is_file():
        print(f"no dev set at {folder}: nothing to measure")
        return 0
    expected = json.loads(expected_file.read_text())
    tp = fp = fn = tn = named = 0
    misses: list[str] = []
    for name, label in sorted(expected.items()):
        text = (folder / name).read_text()
        version = Version(int(label["pg_version"])) if label.get("pg_version") else None
        findings = lint_sql(text, Engine.POSTGRES, version, path=name, config=Config(select=("ALL",)))
        unsafe = is_unsafe(findings)
        fired = set().union(*(names_of(f.rule) for f in findings)) if findings else set()
        if label["unsafe"] and unsafe:
            tp += 1
            if set(label["concepts"]) <= fired:
                named += 1
            else:
                misses.append(
                    f"{name}: expected {label['concepts']}, fired {sorted({f.rule for f in findings})}"
                )
        elif label["unsafe"]:
            fn += 1
            misses.append(f"{name}: missed ({label['concepts']}); fired {sorted({f.rule for f in findings})}")
        elif unsafe:
            fp += 1
            culprits = sorted({f.rule for f in findings if f.severity.rank >= 2})
            misses.append(f"{name}: false alarm {culprits}")
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"snippets {len(expected)}: tp {tp}, fp {fp}, fn {fn}, tn {tn}")
    print(f"precision {precision:.3f}, recall {recall:.3f}, problem named {named}/{tp}")
    for line in misses:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
