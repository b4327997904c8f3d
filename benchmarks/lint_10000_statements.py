"""Lint a generated 10,000-statement PostgreSQL migration; squawk on the same file, side by side.

    pip install -e '.[bench]'        # squawk-cli, the peer
    python benchmarks/lint_10000_statements.py [--statements 10000]

Goal: at most 1.0 s of CPU and 200 MB of memory for `dbexpert migrations lint`; and
`dbexpert --version` starting in at most 0.3 s. Each command runs as its own process; CPU time
(user + system) and peak RSS come from the kernel's accounting of that process (wait4).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from _measure import best_of, dbexpert_program, measure  # same directory: one way to time a child process

_TEMPLATES = (
    "CREATE TABLE t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner_id bigint, "
    "name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());",
    "CREATE INDEX CONCURRENTLY t{i}_owner_idx ON t{i} (owner_id);",
    "ALTER TABLE t{i} ADD COLUMN note text;",
    "ALTER TABLE orders{i} ADD CONSTRAINT orders{i}_owner_fk FOREIGN KEY (owner_id) REFERENCES t{i} (id) NOT VALID;",
    "ALTER TABLE orders{i} VALIDATE CONSTRAINT orders{i}_owner_fk;",
    "CREATE INDEX legacy{i}_idx ON legacy{i} (a, b);",
    "ALTER TABLE legacy{i} ALTER COLUMN c TYPE bigint;",
    "UPDATE legacy{i} SET flag = true WHERE flag IS NULL;",
    "ALTER TABLE legacy{i} RENAME COLUMN d TO e;",
    "SET lock_timeout = '2s';",
)


def generate(statements: int) -> str:
    lines = [_TEMPLATES[n % len(_TEMPLATES)].format(i=n // len(_TEMPLATES)) for n in range(statements)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    dbexpert = dbexpert_program()
    with tempfile.TemporaryDirectory() as folder:
        migration = Path(folder) / "V1__big.sql"
        migration.write_text(generate(args.statements))
        print(
            f"{args.statements} statements, {migration.stat().st_size / 1e6:.1f} MB, median of {args.runs} runs"
        )
        ours = best_of([dbexpert, "migrations", "lint", str(migration), "--format", "json"], args.runs)
        print(
            f"dbexpert migrations lint: wall {ours[0]:.2f} s, cpu {ours[1]:.2f} s, peak {ours[2]:.0f} MB, exit {ours[3]}"
        )
        squawk = shutil.which("squawk")
        if squawk is None:
            print("squawk: not installed (pip install squawk-cli); no ratio")
        else:
            theirs = best_of([squawk, str(migration)], args.runs)
            print(
                f"squawk {args.statements}: wall {theirs[0]:.2f} s, cpu {theirs[1]:.2f} s, peak {theirs[2]:.0f} MB"
            )
            print(f"ratio dbexpert/squawk: cpu {ours[1] / theirs[1]:.1f}x, memory {ours[2] / theirs[2]:.1f}x")
    startup = [measure([dbexpert, "--version"])[0] for _ in range(10)]
    print(
        f"dbexpert --version: median {statistics.median(startup):.3f} s over 10 runs (max {max(startup):.3f})"
    )


if __name__ == "__main__":
    main()
