"""A deterministic, realistic PostgreSQL stderr log, with the true shape of every query event.

    python benchmarks/generate_pg_log.py OUT.log --size 1GiB [--seed 1] [--garbage-every 0]

The log uses pgBadger's recommended prefix ('%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ') and
holds 2,000 query shapes (25 statement kinds over 80 tables) drawn with Zipf popularity, from 64
interleaved sessions that connect and disconnect. Literals vary the way applications vary them:
strings with '' escapes, negative and decimal numbers, booleans, NULL in value position, casts, IN
lists and multi-row VALUES of any length, ARRAY[...] lists. Some statements span several lines
(tab continuation), some come through the extended protocol (parse/bind/execute with a DETAIL of
parameters), some as log_statement + log_duration pairs; around them, noise: checkpoints,
autovacuum, connections, errors with their STATEMENT, temporary files, lock waits.

Beside OUT.log it writes OUT.log.truth: one line "LINE<TAB>SHAPE" per query event, LINE being the
line the event starts at and SHAPE the index (0-1999) of the template it was drawn from, so a
grouping can be checked event by event.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections.abc import Callable
from pathlib import Path

PREFIX = "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "
SHAPES = 2000
_TABLES = [
    f"{base}{suffix}"
    for base in ("users", "orders", "order_items", "products", "invoices", "payments", "carts", "reviews",
                 "shipments", "accounts", "sessions", "events", "coupons", "addresses", "stock", "tickets")
    for suffix in ("", "_archive", "_eu", "_us", "_staging")
]  # fmt: skip
_WORDS = (
    "alpha",
    "it's",
    "O'Brien",
    "ünïcode",
    "x",
    "",
    "a,b",
    "50%",
    "new\\path",
    "-- not a comment",
    "(1)",
)

Rnd = random.Random


def _int(r: Rnd) -> str:
    return str(r.choice((r.randint(1, 99), r.randint(100, 10**6), r.randint(10**9, 10**12))))


def _signed(r: Rnd) -> str:
    return str(r.randint(-5000, 5000))


def _dec(r: Rnd) -> str:
    return f"{r.uniform(0, 1000):.{r.randint(1, 3)}f}"


def _str(r: Rnd) -> str:
    word = r.choice(_WORDS) if r.random() < 0.5 else f"w{r.randint(0, 10**6)}"
    return "'" + word.replace("'", "''") + "'"


def _bool(r: Rnd) -> str:
    return r.choice(("true", "false", "TRUE", "False"))


def _ts(r: Rnd) -> str:
    return f"'2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00'"


def _list(r: Rnd, item: Callable[[Rnd], str]) -> str:
    return ", ".join(item(r) for _ in range(r.choice((1, 2, 3, 5, 8, 20, r.randint(1, 200)))))


def _rows(r: Rnd) -> str:
    return ", ".join(
        f"({_int(r)}, {_str(r)}, {_dec(r)})" for _ in range(r.choice((1, 1, 2, 10, r.randint(1, 50))))
    )


def _nullable(r: Rnd) -> str:
    return "NULL" if r.random() < 0.3 else _str(r)


# Each kind: (sql builder, True when it goes through the extended protocol with $n parameters).
_KINDS: list[tuple[Callable[[str, Rnd], str], bool]] = [
    (lambda t, r: f"SELECT * FROM {t} WHERE id = {_int(r)}", False),
    (lambda t, r: f"SELECT id, name FROM {t} WHERE name = {_str(r)} AND tenant_id = {_int(r)}", False),
    (lambda t, r: f"SELECT id, total FROM {t} WHERE id IN ({_list(r, _int)})", False),
    (lambda t, r: f"SELECT id FROM {t} WHERE price IN ({_list(r, _dec)}) ORDER BY id", False),
    (
        lambda t, r: (
            f"SELECT id, email FROM {t} WHERE active = {_bool(r)} AND deleted_at IS NULL LIMIT {_int(r)}"
        ),
        False,
    ),
    (lambda t, r: f"INSERT INTO {t} (owner_id, label, amount) VALUES {_rows(r)}", False),
    (lambda t, r: f"UPDATE {t} SET status = {_str(r)}, updated_at = now() WHERE id = {_int(r)}", False),
    (lambda t, r: f"DELETE FROM {t} WHERE created_at < {_ts(r)}::timestamptz", False),
    (lambda t, r: f"SELECT count(*) FROM {t} WHERE created_at BETWEEN {_ts(r)} AND {_ts(r)}", False),
    (
        lambda t, r: (
            f"SELECT a.id,\n       a.name,\n       b.total\n  FROM {t} a\n  JOIN ledger b ON b.ref_id = a.id\n"
            f" WHERE a.region = {_str(r)}\n   AND b.total > {_dec(r)}\n ORDER BY b.total DESC"
        ),
        False,
    ),
    (
        lambda t, r: f"SELECT id, title FROM {t} ORDER BY created_at DESC LIMIT {_int(r)} OFFSET {_int(r)}",
        False,
    ),
    (lambda t, r: f"UPDATE {t} SET balance = balance + {_signed(r)} WHERE id = {_int(r)}", False),
    (lambda t, r: f"SELECT id, name, status FROM {t} WHERE id = $1 AND tenant_id = $2", True),
    (lambda t, r: f"INSERT INTO {t} (owner_id, note) VALUES ({_int(r)}, {_str(r)}) RETURNING id", False),
    (lambda t, r: f"UPDATE {t} SET note = {_nullable(r)} WHERE owner_id = {_int(r)}", False),
    (lambda t, r: f"SELECT id FROM {t} WHERE tags && ARRAY[{_list(r, _str)}]", False),
    (lambda t, r: f"SELECT id, email FROM {t} WHERE lower(email) LIKE {_str(r)}", False),
    (lambda t, r: f"SELECT owner_id, count(*) FROM {t} GROUP BY owner_id HAVING count(*) > {_int(r)}", False),
    (lambda t, r: f"SELECT id FROM {t} WHERE score >= {_dec(r)} AND flagged = {_bool(r)}", False),
    (
        lambda t, r: f"UPDATE {t} SET visits = visits + 1, seen_at = {_ts(r)} WHERE session_key = {_str(r)}",
        False,
    ),
    (lambda t, r: f"SELECT sum(amount) FROM {t} WHERE owner_id = $1", True),
    (lambda t, r: f"DELETE FROM {t} WHERE id = ANY(ARRAY[{_list(r, _int)}])", False),
    (lambda t, r: f"SELECT * FROM {t} WHERE parent_id = {_int(r)} AND kind IN ({_list(r, _str)})", False),
    (lambda t, r: f"SELECT id FROM {t} WHERE amount < {_signed(r)} AND currency = {_str(r)}", False),
    (lambda t, r: f"INSERT INTO {t} (ref, payload) VALUES ({_int(r)}, {_str(r)}::jsonb)", False),
]
assert len(_KINDS) * len(_TABLES) == SHAPES


def template(shape: int) -> tuple[Callable[[str, Rnd], str], bool, str]:
    kind, table = divmod(shape, len(_TABLES))
    build, extended = _KINDS[kind]
    return build, extended, _TABLES[table]


class _Session:
    def __init__(self, r: Rnd, pid: int) -> None:
        self.pid = pid
        self.line = 0
        self.user = r.choice(("app", "app", "report", "admin"))
        self.db = r.choice(("shop", "shop", "analytics"))
        self.app = r.choice(("web", "worker", "psql", "[unknown]"))
        self.client = f"10.0.{r.randint(0, 9)}.{r.randint(1, 254)}"
        self.pending_duration = False  # log_statement + log_duration: the duration line is due


def generate(out: Path, size: int, seed: int = 1, garbage_every: int = 0) -> tuple[int, int]:
    """Write the log and its truth file; returns (query events, lines)."""
    r = random.Random(seed)
    ranks = list(range(SHAPES))
    r.shuffle(ranks)
    cum = list(itertools.accumulate(1.0 / (rank + 1) ** 1.05 for rank in ranks))
    next_pid = itertools.count(1000)
    sessions = [_Session(r, next(next_pid)) for _ in range(64)]
    clock = 1_714_560_000.0
    events = lines_written = written = 0
    with out.open("w", encoding="utf-8", newline="\n") as log, Path(f"{out}.truth").open("w") as truth:
        buffer: list[str] = []
        truth_buffer: list[str] = []

        def emit(session: _Session | None, severity: str, message: str) -> int:
            nonlocal lines_written
            stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(clock))
            if session is None:
                head = f"{stamp} [{next(next_pid) % 50 + 90}]: [1-1] user=,db=,app=,client= "
            else:
                session.line += 1
                head = (
                    f"{stamp} [{session.pid}]: [{session.line}-1] user={session.user},db={session.db},"
                    f"app={session.app},client={session.client} "
                )
            text = head + severity + ":  " + message.replace("\n", "\n\t") + "\n"
            buffer.append(text)
            first = lines_written + 1
            lines_written += message.count("\n") + 1
            return first

        while written < size:
            for shape in r.choices(range(SHAPES), cum_weights=cum, k=1000):
                clock += r.random() * 0.01
                session = r.choice(sessions)
                duration = f"{r.expovariate(1 / (1 + shape % 37)):.3f}"
                build, extended, table = template(shape)
                sql = build(table, r)
                if session.pending_duration:
                    emit(session, "LOG", f"duration: {duration} ms")
                    session.pending_duration = False
                if extended:
                    params = ", ".join(
                        f"${i} = {_str(r) if i % 2 else repr(_int(r))}" for i in (1, 2)[: sql.count("$")]
                    )
                    emit(session, "LOG", f"duration: 0.0{r.randint(10, 99)} ms  parse <unnamed>: {sql}")
                    emit(session, "LOG", f"duration: 0.0{r.randint(10, 99)} ms  bind <unnamed>: {sql}")
                    emit(session, "DETAIL", f"parameters: {params}")
                    line = emit(session, "LOG", f"duration: {duration} ms  execute <unnamed>: {sql}")
                    emit(session, "DETAIL", f"parameters: {params}")
                elif r.random() < 0.03:  # log_statement = 'all' with log_duration = on
                    line = emit(session, "LOG", f"statement: {sql}")
                    session.pending_duration = True
                else:
                    line = emit(session, "LOG", f"duration: {duration} ms  statement: {sql}")
                truth_buffer.append(f"{line}\t{shape}\n")
                events += 1
                _noise(r, emit, sessions, next_pid)
                if garbage_every and events % garbage_every == 0:
                    buffer.append("\x00\x01\x02\ufffd binary garbage\n")
                    lines_written += 1
            chunk = "".join(buffer)
            log.write(chunk)
            written += len(chunk.encode("utf-8")) if not chunk.isascii() else len(chunk)
            truth.write("".join(truth_buffer))
            buffer.clear()
            truth_buffer.clear()
        for session in sessions:  # the last log_statement lines get their durations
            if session.pending_duration:
                emit(session, "LOG", "duration: 0.100 ms")
        log.write("".join(buffer))
    return events, lines_written


def _noise(r: Rnd, emit: Callable[..., int], sessions: list[_Session], pids: itertools.count[int]) -> None:
    roll = r.random()
    if roll > 0.06:
        return
    session = r.choice(sessions)
    if roll < 0.01:
        emit(
            session, "ERROR", f'duplicate key value violates unique constraint "orders_pkey{r.randint(0, 3)}"'
        )
        emit(session, "DETAIL", f"Key (id)=({r.randint(1, 10**6)}) already exists.")
        emit(session, "STATEMENT", f"INSERT INTO orders (id, note) VALUES ({r.randint(1, 10**6)}, 'x')")
    elif roll < 0.02:
        emit(
            session,
            "LOG",
            f'temporary file: path "base/pgsql_tmp/pgsql_tmp{session.pid}.{r.randint(0, 9)}", size {r.randint(10**5, 10**9)}',
        )
        emit(session, "STATEMENT", "SELECT * FROM orders ORDER BY note")
    elif roll < 0.025:
        emit(
            session,
            "LOG",
            f"process {session.pid} still waiting for ShareLock on transaction {r.randint(1000, 9999)} after 1000.{r.randint(100, 999)} ms",
        )
        emit(session, "DETAIL", f"Process holding the lock: {session.pid + 1}. Wait queue: {session.pid}.")
        emit(session, "CONTEXT", f'while updating tuple (0,{r.randint(1, 60)}) in relation "accounts"')
        emit(session, "STATEMENT", "UPDATE accounts SET balance = balance - 1 WHERE id = 7")
    elif roll < 0.03:
        emit(None, "LOG", "checkpoint starting: time")
        emit(
            None,
            "LOG",
            f"checkpoint complete: wrote {r.randint(1, 9999)} buffers (1.0%); 0 WAL file(s) added, 0 removed, 1 recycled; write={r.uniform(0, 200):.3f} s, sync=0.002 s, total={r.uniform(0, 200):.3f} s; sync files=4, longest=0.001 s, average=0.001 s; distance=4339 kB, estimate=8268 kB",
        )
    elif roll < 0.035:
        emit(
            None,
            "LOG",
            f'automatic vacuum of table "shop.public.orders": index scans: 1\npages: 0 removed, {r.randint(1, 9999)} remain, 12 scanned (0.50% of total)\ntuples: 120 removed, 50000 remain, 0 are dead but not yet removable\nsystem usage: CPU: user: 0.01 s, system: 0.00 s, elapsed: {r.uniform(0, 9):.2f} s',
        )
    elif not session.pending_duration:  # a session ends and another starts
        index = sessions.index(session)
        emit(
            session,
            "LOG",
            f"disconnection: session time: 0:0{r.randint(0, 9)}:12.345 user={session.user} database={session.db} host={session.client} port=5432",
        )
        fresh = _Session(r, next(pids))
        sessions[index] = fresh
        emit(fresh, "LOG", f"connection received: host={fresh.client} port={r.randint(30000, 60000)}")
        emit(
            fresh,
            "LOG",
            f"connection authorized: user={fresh.user} database={fresh.db} application_name={fresh.app}",
        )


def _size(text: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    text = text.lower().removesuffix("ib").removesuffix("b")
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="100MiB", help="stop after about this many bytes (e.g. 1GiB)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--garbage-every", type=int, default=0, help="a line of binary garbage every N events"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    events, lines = generate(args.out, _size(args.size), args.seed, args.garbage_every)
    print(f"{args.out}: {events} query events, {lines} lines, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
