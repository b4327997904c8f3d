"""`dbexpert query check` on 10,000 mixed PostgreSQL statements; sqlfluff on a slice of the same file.

    pip install -e '.[bench]'        # sqlfluff, the peer
    python benchmarks/query_check_10000_statements.py [--statements 10000] [--peer-statements 200]

Goal: at least 2,000 statements per CPU second for `dbexpert query check` (the whole command, as its
own process: start-up, parsing, every query rule, the report). sqlfluff lints about 15 statements
a second, so it runs on the first --peer-statements statements only and its rate is compared.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from _measure import best_of, dbexpert_program  # same directory: one way to time a child process

_TEMPLATES = (
    "SELECT o.id, o.total, c.email FROM orders o JOIN customers c ON c.id = o.customer_id "
    "WHERE o.customer_id = {i} AND o.created_at >= now() - interval '30 days' ORDER BY o.created_at DESC LIMIT 20;",
    "SELECT * FROM orders WHERE status = 'open' ORDER BY id LIMIT 50 OFFSET {i}000;",
    "SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM orders WHERE total > {i});",
    "SELECT id, name FROM customers WHERE lower(email) = 'user{i}@example.com';",
    "UPDATE orders SET status = 'shipped', shipped_at = now() WHERE id = {i};",
    "INSERT INTO events (customer_id, kind, payload) VALUES ({i}, 'login', '{{\"ok\": true}}');",
    "SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS orders FROM customers c "
    "WHERE c.region = 'EU' LIMIT 100;",
    "SELECT region, count(*) FROM customers GROUP BY region HAVING region <> 'test';",
    "SELECT id FROM products WHERE name LIKE '%widget{i}%' ORDER BY id LIMIT 10;",
    "SELECT id FROM orders WHERE created_at BETWEEN '2024-01-01' AND '2024-01-31' AND customer_id = {i};",
    "DELETE FROM sessions WHERE expires_at < now() - interval '{i} days';",
    "WITH recent AS (SELECT customer_id, sum(total) AS spent FROM orders WHERE created_at > now() - interval '7 days' "
    "GROUP BY customer_id) SELECT c.email, r.spent FROM recent r JOIN customers c ON c.id = r.customer_id "
    "ORDER BY r.spent DESC LIMIT 10;",
)


def generate(statements: int) -> str:
    lines = [_TEMPLATES[n % len(_TEMPLATES)].format(i=n // len(_TEMPLATES) + 1) for n in range(statements)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--peer-statements", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    dbexpert = dbexpert_program()
    with tempfile.TemporaryDirectory() as folder:
        queries = Path(folder) / "queries.sql"
        queries.write_text(generate(args.statements))
        print(f"{args.statements} statements, {queries.stat().st_size / 1e6:.1f} MB, median of {args.runs} runs")
        command = [dbexpert, "query", "check", str(queries), "--format", "json", "--fail-on", "never"]
        ours = best_of(command, args.runs)
        rate = args.statements / ours[1]
        print(
            f"dbexpert query check: wall {ours[0]:.2f} s, cpu {ours[1]:.2f} s, peak {ours[2]:.0f} MB, "
            f"{rate:,.0f} statements per CPU second, exit {ours[3]}"
        )
        sqlfluff = shutil.which("sqlfluff")
        if sqlfluff is None:
            print("sqlfluff: not installed (pip install -e '.[bench]'); no ratio")
            return
        peer_file = Path(folder) / "peer.sql"
        peer_file.write_text(generate(args.peer_statements))
        # sqlfluff silently skips files over 20 kB by default: lift the limit so it really lints.
        (Path(folder) / ".sqlfluff").write_text("[sqlfluff]\nlarge_file_skip_byte_limit = 0\n")
        peer = [sqlfluff, "lint", "--dialect", "postgres", "--nofail", "--processes", "1", str(peer_file)]
        theirs = best_of(peer, 1)
        peer_rate = args.peer_statements / theirs[1]
        print(
            f"sqlfluff lint ({args.peer_statements} statements): cpu {theirs[1]:.2f} s, "
            f"{peer_rate:,.1f} statements per CPU second"
        )
        print(f"ratio dbexpert/sqlfluff: {rate / peer_rate:,.0f}x the statements per CPU second")


if __name__ == "__main__":
    main()
