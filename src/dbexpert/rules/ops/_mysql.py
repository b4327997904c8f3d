"""Helpers the MySQL/MariaDB ops and backup rules share: reading variables and status counters as
the server prints them, and sizes in words. Not a rule (no ``RULE``)."""

from __future__ import annotations

from typing import Any

from dbexpert.model.health import HealthSnapshot

MIB = 1024**2
GIB = 1024**3


def number(value: Any) -> float | None:
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None


def fact(snapshot: HealthSnapshot, name: str) -> float | None:
    """A global status counter (``Innodb_buffer_pool_reads``...) or a measured fact, as a number."""
    return number(snapshot.facts.get(name))


def setting(snapshot: HealthSnapshot, name: str) -> float | None:
    return number(snapshot.setting(name))


def is_on(snapshot: HealthSnapshot, name: str) -> bool:
    """A boolean variable: SHOW prints ON/OFF (or 1/0)."""
    return (snapshot.setting(name) or "").upper() in ("ON", "1", "TRUE")


def binlog_on(snapshot: HealthSnapshot) -> bool:
    return is_on(snapshot, "log_bin")


def mariadb(snapshot: HealthSnapshot) -> bool:
    return snapshot.flavor == "mariadb"


def mib(size: float) -> str:
    """Bytes as MiB or GiB, for messages."""
    return f"{size / GIB:.1f} GiB" if size >= GIB else f"{size / MIB:.0f} MiB"


def measured(snapshot: HealthSnapshot) -> str:
    """How global status counters were obtained, for evidence."""
    uptime = snapshot.facts.get("Uptime")
    return f"SHOW GLOBAL STATUS, counters since server start ({uptime} s ago)"
