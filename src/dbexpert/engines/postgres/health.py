"""A PostgreSQL server's health, read in a few read-only round trips into a :class:`HealthSnapshot`.

:func:`read_health` runs the named queries of :mod:`health_queries` through the audit's read-only
session; :func:`build_snapshot` maps their rows to the snapshot and is pure, so it is tested on
captured rows without a server. A query the role may not run (or a view the server lacks) is
recorded in ``unavailable`` with the server's one-line reason; it never fails the audit.

PostgreSQL does not report the machine's memory or disks. When the server runs on this machine
(the URL's host is localhost, 127.0.0.1, ::1 or a socket directory) they are read from
``/proc/meminfo`` and ``/sys/block/*/queue/rotational`` as the facts ``machine_memory_bytes`` and
``storage``; otherwise the rules that need them use their ``machine_memory_mb`` / ``storage``
options or say that they skipped.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from dbexpert.engines.postgres.health_queries import SERVER, SETTINGS, SETTINGS_SQL, health_queries
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import ConnectError, DbexpertError, Engine, Version
from dbexpert.model.health import HealthSnapshot

Row = Mapping[str, Any]
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
# Block devices that are not disks: loop files, RAM disks, compressed swap, device-mapper layers.
_VIRTUAL_BLOCK = ("loop", "ram", "zram", "dm-", "md", "sr", "fd")


class HealthSession(Protocol):
    url: DatabaseUrl

    @property
    def server_version_num(self) -> int: ...

    def fetch(
        self, label: str, query: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...


def read_health(session: HealthSession) -> HealthSnapshot:
    """The snapshot of the server behind ``session``; read-only, one round trip per result set."""
    server = session.fetch("health server", SERVER)[0]
    settings = session.fetch("health settings", SETTINGS_SQL, {"names": list(SETTINGS)})
    results: dict[str, list[dict[str, Any]]] = {}
    unavailable: dict[str, str] = {}
    for name, sql in select_queries(int(server["server_version_num"]), bool(server["in_recovery"])).items():
        try:
            results[name] = session.fetch(f"health {name}", sql)
        except ConnectError:
            raise
        except DbexpertError as exc:  # a privilege or a feature this server lacks: say so, go on
            unavailable[name] = str(exc)
    facts = machine_facts() if is_local(session.url) else {}
    return build_snapshot(server, settings, results, unavailable, facts, session.url.redacted())


def select_queries(server_version_num: int, in_recovery: bool) -> dict[str, str]:
    """The queries to run: replication lag from ``pg_stat_replication`` on a primary, from the replay
    timestamp on a standby (where ``pg_current_wal_lsn()`` raises)."""
    queries = dict(health_queries(server_version_num))
    queries.pop("replication" if in_recovery else "standby")
    return queries


def build_snapshot(
    server: Row,
    settings: Sequence[Row],
    results: Mapping[str, Sequence[Row]],
    unavailable: Mapping[str, str],
    facts: Mapping[str, Any],
    source: str = "",
) -> HealthSnapshot:
    """Rows of the health queries -> the snapshot, with values made JSON-safe (numbers, ISO text)."""
    all_facts = {
        "database": server["database"],
        "database_bytes": _plain(server["database_bytes"]),
        "in_recovery": bool(server["in_recovery"]),
        "uptime_seconds": _plain(server["uptime_seconds"]),
        "server_version_num": int(server["server_version_num"]),
        "pg_stat_statements_installed": server.get("pg_stat_statements_version") is not None,
        **facts,
    }
    return HealthSnapshot(
        engine=Engine.POSTGRES,
        version=Version.parse(str(server["server_version"])),
        settings=MappingProxyType({str(r["name"]): str(r["value"]) for r in settings}),
        results=MappingProxyType(
            {name: tuple(MappingProxyType(_plain_row(r)) for r in rows) for name, rows in results.items()}
        ),
        facts=MappingProxyType(all_facts),
        unavailable=MappingProxyType(dict(unavailable)),
        source=source,
    )


def _plain_row(row: Row) -> dict[str, Any]:
    return {str(key): _plain(value) for key, value in row.items()}


def _plain(value: Any) -> Any:
    """Decimals as int/float, timestamps as ISO text, lists as lists: what JSON evidence can carry."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def is_local(url: DatabaseUrl) -> bool:
    """Whether the server runs on this machine, so its memory and disks are this machine's."""
    host = url.host or ""
    return host in LOCAL_HOSTS or host.startswith("/")


def machine_facts(proc: Path = Path("/proc"), sys_block: Path = Path("/sys/block")) -> dict[str, Any]:
    """``machine_memory_bytes`` (MemTotal) and ``storage`` ("ssd", "hdd" or "mixed") of this machine,
    each left out when it cannot be read."""
    facts: dict[str, Any] = {}
    memory = meminfo_total_bytes(proc / "meminfo")
    if memory is not None:
        facts["machine_memory_bytes"] = memory
        facts["machine_memory_source"] = "/proc/meminfo MemTotal (server is local)"
    storage = storage_kind(sys_block)
    if storage is not None:
        facts["storage"] = storage
        facts["storage_source"] = "/sys/block/*/queue/rotational (server is local)"
    return facts


def meminfo_total_bytes(path: Path) -> int | None:
    try:
        text = path.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024  # meminfo counts kibibytes
    return None


def storage_kind(sys_block: Path) -> str | None:
    """ "ssd" when every physical disk reports rotational=0, "hdd" when all report 1, else "mixed"."""
    kinds = set()
    try:
        devices = sorted(sys_block.iterdir())
    except OSError:
        return None
    for device in devices:
        if device.name.startswith(_VIRTUAL_BLOCK):
            continue
        try:
            kinds.add(device.joinpath("queue", "rotational").read_text().strip())
        except OSError:
            continue
    if not kinds:
        return None
    if kinds == {"0"}:
        return "ssd"
    if kinds == {"1"}:
        return "hdd"
    return "mixed"
