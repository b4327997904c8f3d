"""Helpers the Redis ops and backup rules share: settings and INFO facts as numbers, the fix as
CONFIG SET plus the redis.conf line. Not a rule (no ``RULE``)."""

from __future__ import annotations

from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.ops._mysql import mib, number

__all__ = ["config_fix", "fact", "measured", "mib", "setting"]


def fact(snapshot: HealthSnapshot, name: str) -> float | None:
    """An INFO field (``used_memory``, ``evicted_keys``...) as a number."""
    return number(snapshot.facts.get(name))


def setting(snapshot: HealthSnapshot, name: str) -> float | None:
    return number(snapshot.setting(name))


def config_fix(name: str, value: str) -> str:
    """CONFIG SET for now, and the redis.conf line that keeps it after a restart."""
    shown = f'"{value}"' if " " in value or not value else value
    return f"CONFIG SET {name} {shown}\n# and in redis.conf (or CONFIG REWRITE):\n{name} {shown}"


def measured(snapshot: HealthSnapshot) -> str:
    uptime = snapshot.facts.get("uptime_in_seconds")
    return f"INFO and CONFIG GET; counters since the server started ({uptime} s ago)"
