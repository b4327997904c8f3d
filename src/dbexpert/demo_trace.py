"""A trace of the demo shop's requests, recorded by really running them on a copy of the database.

Each request runs its statements with :mod:`sqlite3`, timing every one with a monotonic clock, and
writes one JSON line per statement in the application-trace format ``workload analyze`` reads
(``request_id``, ``ts``, ``duration_ms``, ``sql``, ``params``, ``db.system``): the durations are
measured, not made up. Start times are laid out from a fixed instant plus the measured durations, so
only the timings differ between runs.

The requests, by the rule that should report them:

- n-plus-one-queries .... ``GET /account/orders`` loads the customer's order lines, then each
                          line's product (with its units sold) one query at a time: 25 queries.
- per-row-inserts ....... ``POST /cart/import`` turns an uploaded cart into an order, inserting its
                          lines one ``INSERT`` at a time.
- duplicate-queries ..... ``GET /products/17`` runs the navigation menu's categories query three
                          times (header, sidebar, footer).

``GET /account/orders?fast=1`` (the same page in one join) and ``GET /checkout`` (one multi-row
insert) are meant to be clean. The writes change the copy only, never the audited database.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TRACE_NAME = "trace.jsonl"
SERVICE = "shop-web"
_START = datetime(2024, 6, 3, 12, 0, 0, tzinfo=UTC)
_CUSTOMER = 12  # the customer with the most orders in the demo data (10 orders, 25 lines)

_ORDER_LINES = """\
SELECT o.id, i.line_no, i.product_id, i.quantity FROM orders o
JOIN order_items i ON i.order_id = o.id WHERE o.customer_id = ? ORDER BY o.placed_at DESC, i.line_no"""
# The product with its units sold: order_items.product_id has no index, so each run scans order_items.
_PRODUCT = (
    "SELECT p.id, p.name, p.price, (SELECT total(s.quantity) FROM order_items s "
    "WHERE s.product_id = p.id) AS sold FROM products p WHERE p.id = ?"
)
_ORDER_PAGE_JOINED = """\
SELECT o.id, i.line_no, i.quantity, p.name, p.price FROM orders o
JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id
WHERE o.customer_id = ? ORDER BY o.placed_at DESC, i.line_no"""
_MENU = "SELECT id, slug, name FROM categories WHERE parent_id IS NULL ORDER BY name"
_PRODUCT_PAGE = "SELECT id, sku, name, price, tags FROM products WHERE id = ?"
_REVIEWS = "SELECT rating, body FROM reviews WHERE product_id = ? ORDER BY id DESC LIMIT 5"
_NEW_ORDER = (
    "INSERT INTO orders (customer_id, status, total, placed_at) VALUES (?, 'pending', ?, ?) RETURNING id"
)
_NEW_LINE = "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?)"
_PRICES = "SELECT id, price FROM products WHERE id IN ({marks})"
_CART = ((17, 1), (23, 2), (41, 1), (58, 3), (64, 1), (77, 2), (90, 1), (102, 1))  # (product id, quantity)


@dataclass
class _Recorder:
    """Runs statements on one connection and keeps one trace record per statement."""

    connection: sqlite3.Connection
    records: list[dict[str, Any]] = field(default_factory=list)
    clock_ms: float = 0.0  # trace time since _START: measured durations plus a fixed pause per request

    def run(self, request: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        started = time.perf_counter()
        rows = self.connection.execute(sql, tuple(params)).fetchall()
        took = (time.perf_counter() - started) * 1000.0
        self.records.append(
            {
                "ts": (_START + timedelta(milliseconds=self.clock_ms)).isoformat(timespec="microseconds"),
                "request_id": request,
                "service": SERVICE,
                "db.system": "sqlite",
                "sql": sql,
                "params": list(params),
                "duration_ms": round(took, 3),
            }
        )
        self.clock_ms += took + 0.05  # the application's own work between two statements
        return rows

    def pause(self) -> None:
        self.clock_ms += 250.0


def record_trace(database: Path, target: Path) -> int:
    """Run the shop's requests on ``database`` (a scratch copy: the requests write) and write their
    trace to ``target``; return the number of statements traced."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        recorder = _Recorder(connection)
        _order_history(recorder, "req-0001")
        _order_history_joined(recorder, "req-0002")
        _product_page(recorder, "req-0003")
        _cart_import(recorder, "req-0004")
        _checkout(recorder, "req-0005")
    finally:
        connection.close()
    lines = (json.dumps(record, sort_keys=True) for record in recorder.records)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(recorder.records)


def _order_history(rec: _Recorder, request: str) -> None:
    """GET /account/orders: the order lines, then each line's product (n-plus-one-queries)."""
    for _order, _line, product_id, _quantity in rec.run(request, _ORDER_LINES, (_CUSTOMER,)):
        rec.run(request, _PRODUCT, (product_id,))
    rec.pause()


def _order_history_joined(rec: _Recorder, request: str) -> None:
    """GET /account/orders?fast=1: the same page in one query (clean)."""
    rec.run(request, _ORDER_PAGE_JOINED, (_CUSTOMER,))
    rec.pause()


def _product_page(rec: _Recorder, request: str) -> None:
    """GET /products/17: header, sidebar and footer each run the menu query (duplicate-queries)."""
    rec.run(request, _MENU)
    rec.run(request, _PRODUCT_PAGE, (17,))
    rec.run(request, _MENU)
    rec.run(request, _REVIEWS, ("17",))  # reviews.product_id is TEXT
    rec.run(request, _MENU)
    rec.pause()


def _cart_import(rec: _Recorder, request: str) -> None:
    """POST /cart/import: one INSERT per cart line (per-row-inserts)."""
    rec.run(request, "BEGIN")
    prices = {pid: price for pid, price in rec.run(request, _PRICES.format(marks=_marks(_CART)), _ids(_CART))}
    total = round(sum(prices[pid] * quantity for pid, quantity in _CART), 2)
    ((order_id,),) = rec.run(request, _NEW_ORDER, (_CUSTOMER, total, "2024-06-03 12:00:01"))
    for line_no, (product_id, quantity) in enumerate(_CART, start=1):
        rec.run(
            request, _NEW_LINE, (order_id, line_no, product_id, quantity, round(prices[product_id] * 100))
        )
    rec.run(request, "COMMIT")
    rec.pause()


def _checkout(rec: _Recorder, request: str) -> None:
    """POST /checkout: the same kind of order, its lines in one multi-row INSERT (clean)."""
    cart = _CART[:4]
    rec.run(request, "BEGIN")
    prices = {pid: price for pid, price in rec.run(request, _PRICES.format(marks=_marks(cart)), _ids(cart))}
    total = round(sum(prices[pid] * quantity for pid, quantity in cart), 2)
    ((order_id,),) = rec.run(request, _NEW_ORDER, (_CUSTOMER, total, "2024-06-03 12:00:02"))
    values = ", ".join("(?, ?, ?, ?, ?)" for _ in cart)
    params = [
        v
        for line_no, (pid, quantity) in enumerate(cart, start=1)
        for v in (order_id, line_no, pid, quantity, round(prices[pid] * 100))
    ]
    rec.run(request, _NEW_LINE.split(" VALUES ")[0] + f" VALUES {values}", params)
    rec.run(request, "COMMIT")
    rec.pause()


def _marks(cart: Sequence[tuple[int, int]]) -> str:
    return ", ".join("?" for _ in cart)


def _ids(cart: Sequence[tuple[int, int]]) -> list[int]:
    return [pid for pid, _ in cart]
