"""Helpers the PostgreSQL ops rules share: reading settings as the server prints them, the
machine's memory, and the wording of sizes. Not a rule (no ``RULE``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dbexpert.model.health import HealthSnapshot, Row
from dbexpert.rules.context import RuleContext

_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}
_SIZE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.I)


def size_bytes(text: str | None, default_unit: str = "b") -> int | None:
    """A memory setting as SHOW prints it ("128MB", "8kB", "4GB") in bytes; None when unset or -1."""
    if text is None:
        return None
    match = _SIZE.match(text)
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or default_unit).lower()
    if number < 0 or unit not in _UNITS:
        return None
    return int(number * _UNITS[unit])


def number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def human(size: float) -> str:
    """Bytes in the largest unit PostgreSQL settings accept with an integer ("1536MB", "4GB")."""
    for unit in ("TB", "GB", "MB", "kB"):
        factor = _UNITS[unit.lower()]
        if size >= factor and size % factor == 0:
            return f"{int(size // factor)}{unit}"
    if size >= 1024**2:
        return f"{int(size // 1024**2)}MB"
    return f"{int(size)}B"


def machine_memory(snapshot: HealthSnapshot, ctx: RuleContext) -> tuple[int | None, str]:
    """The machine's memory in bytes and where it came from: the rule's ``machine_memory_mb`` option
    first, then the fact read from /proc/meminfo when the server is local; (None, why) otherwise."""
    configured = ctx.options.get("machine_memory_mb")
    if configured:
        return int(configured) * 1024**2, "the machine_memory_mb option"
    fact = snapshot.facts.get("machine_memory_bytes")
    if isinstance(fact, int) and fact > 0:
        return fact, str(snapshot.facts.get("machine_memory_source", "facts.machine_memory_bytes"))
    return None, "unknown: the server is not local and the machine_memory_mb option is not set"


# Settings that only take effect when the server restarts (context "postmaster" in pg_settings).
RESTART_SETTINGS = frozenset({"shared_buffers", "max_connections", "shared_preload_libraries"})


def alter_system(name: str, value: str) -> str:
    """The statement that changes a setting, then a reload, or a note that a restart is needed."""
    then = "-- restart the server to apply" if name in RESTART_SETTINGS else "SELECT pg_reload_conf();"
    return f"ALTER SYSTEM SET {name} = '{value}';\n{then}"


def round_size(size: int) -> int:
    """A suggested size rounded down to a value people write: whole GB from 2GB, else 64MB steps."""
    gb, step = 1024**3, 64 * 1024**2
    if size >= 2 * gb:
        return size // gb * gb
    return max(size // step * step, step)


def reloption(options: Any, name: str) -> str | None:
    """A per-table storage parameter from pg_class.reloptions (["autovacuum_enabled=false", ...])."""
    for item in options or ():
        key, _, value = str(item).partition("=")
        if key == name:
            return value
    return None


def first_number(*values: Any) -> float | None:
    """The first value that reads as a number (a per-table storage parameter, then the setting)."""
    for value in values:
        parsed = number(value)
        if parsed is not None:
            return parsed
    return None


def bloated(snapshot: HealthSnapshot, result: str, ctx: RuleContext) -> Iterator[tuple[Row, float, float]]:
    """The rows of a bloat estimate (``table_bloat``, ``index_bloat``) over both of the rule's
    thresholds (``min_bloat_bytes`` and ``min_ratio``), with their bloat in bytes and percent."""
    for row in snapshot.rows(result):
        bloat, pct = number(row.get("bloat_bytes")) or 0, number(row.get("bloat_pct")) or 0
        if row.get("is_na") or bloat < ctx.option("min_bloat_bytes") or pct < 100 * ctx.option("min_ratio"):
            continue
        yield row, bloat, pct


def bloat_words(row: Row, bloat: float, pct: float) -> str:
    """``an estimated 60% bloat (600 MB of 1,000 MB)``."""
    real = number(row.get("real_bytes")) or 0
    return f"an estimated {pct:.0f}% bloat ({bloat / 1024**2:,.0f} MB of {real / 1024**2:,.0f} MB)"


def autovacuum_threshold(
    snapshot: HealthSnapshot, row: Row, action: str, tuples: float, default_scale: float
) -> float:
    """``autovacuum_<action>_threshold + autovacuum_<action>_scale_factor * tuples`` (action: vacuum or
    analyze), the table's reloptions winning over the server's settings, PostgreSQL's defaults when
    neither is known."""
    options = row.get("reloptions")
    base = first_number(
        reloption(options, f"autovacuum_{action}_threshold"),
        snapshot.setting(f"autovacuum_{action}_threshold"),
    )
    scale = first_number(
        reloption(options, f"autovacuum_{action}_scale_factor"),
        snapshot.setting(f"autovacuum_{action}_scale_factor"),
    )
    return (base if base is not None else 50) + (scale if scale is not None else default_scale) * tuples
