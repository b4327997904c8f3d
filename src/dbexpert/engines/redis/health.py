"""A Redis server's health, read with INFO, CONFIG GET, SLOWLOG GET, LATENCY LATEST and a bounded
SCAN sample, into a :class:`HealthSnapshot` for the ops and backup rules.

- ``settings``: the CONFIG GET values of :data:`SETTINGS` (``maxmemory``, ``save``, ``appendonly``...).
  Managed services that rename or forbid CONFIG leave them absent, noted in ``unavailable``.
- ``facts``: INFO's numbers (memory, clients, stats, persistence, replication, error stats).
- ``results``: ``keyspace`` (per database: keys, keys with a TTL), ``slowlog`` (command name,
  duration, time — never the arguments: they may hold data), ``latency`` (LATENCY LATEST),
  ``replicas`` (a primary's replicas and their offsets), ``big_keys`` (the largest keys of a sample:
  SCAN with COUNT, MEMORY USAGE, at most :data:`SAMPLE_KEYS` keys; the facts say how many were read).

:func:`build_snapshot` is pure and tested on captured replies without a server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol

from dbexpert.model import DbexpertError, Engine, Version
from dbexpert.model.health import HealthSnapshot

SETTINGS = (
    "maxmemory", "maxmemory-policy", "maxclients", "save", "appendonly", "appendfsync",
    "slowlog-log-slower-than", "slowlog-max-len", "dir", "dbfilename", "appenddirname",
    "aof-use-rdb-preamble", "replica-read-only", "rdbchecksum",
)  # fmt: skip
INFO_FACTS = (
    "redis_version", "redis_mode", "uptime_in_seconds", "server_time_usec", "connected_clients", "blocked_clients",
    "used_memory", "used_memory_rss", "used_memory_peak", "used_memory_dataset", "mem_fragmentation_ratio",
    "total_system_memory", "evicted_keys", "expired_keys", "rejected_connections", "total_connections_received",
    "keyspace_hits", "keyspace_misses", "loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress",
    "rdb_last_save_time", "rdb_last_bgsave_status", "rdb_last_bgsave_time_sec", "aof_enabled",
    "aof_rewrite_in_progress", "aof_last_rewrite_time_sec", "aof_last_bgrewrite_status",
    "aof_last_write_status", "role", "master_host", "master_port", "master_link_status",
    "master_last_io_seconds_ago", "master_sync_in_progress", "master_link_down_since_seconds",
    "slave_repl_offset", "master_repl_offset", "connected_slaves",
)  # fmt: skip
SAMPLE_KEYS = 2000  # keys read by the big-key sample, across databases
SCAN_COUNT = 500  # SCAN's COUNT hint: each SCAN returns about this many keys
BIG_KEYS_KEPT = 20  # the largest sampled keys kept in the snapshot
SLOWLOG_ENTRIES = 128


class HealthSession(Protocol):
    url: Any
    version_text: str

    def call(self, *args: Any, db: int | None = None) -> Any: ...

    def pipeline(self, commands: list[tuple[Any, ...]], db: int | None = None) -> list[Any]: ...


def read_health(session: HealthSession, sample_keys: int = SAMPLE_KEYS) -> HealthSnapshot:
    """The snapshot of the server behind ``session``: about a dozen read-only round trips plus the sample."""
    unavailable: dict[str, str] = {}
    info = session.call("INFO", "everything")
    settings = _config(session, unavailable)
    slowlog = _optional(session, unavailable, "slowlog", "SLOWLOG", "GET", SLOWLOG_ENTRIES) or []
    latency = _optional(session, unavailable, "latency", "LATENCY", "LATEST") or []
    sample, sampled = sample_big_keys(session, info, sample_keys)
    return build_snapshot(
        info, settings, slowlog=slowlog, latency=latency, big_keys=sample, sampled=sampled,
        sample_budget=sample_keys, unavailable=unavailable, source=session.url.redacted(),
    )  # fmt: skip


def _config(session: HealthSession, unavailable: dict[str, str]) -> dict[str, str]:
    try:
        reply = session.call("CONFIG", "GET", *SETTINGS)  # several patterns at once: Redis 7+
    except DbexpertError:
        reply = None
    if not reply:  # Redis 6 takes one pattern per call
        reply = []
        for name in SETTINGS:
            try:
                reply += list(session.call("CONFIG", "GET", name))
            except DbexpertError as exc:
                unavailable["config"] = f"CONFIG GET refused ({exc}): settings-based rules are skipped"
                break
    pairs = reply.items() if isinstance(reply, Mapping) else zip(reply[::2], reply[1::2], strict=True)
    return {_text(k): _text(v) for k, v in pairs}


def _optional(session: HealthSession, unavailable: dict[str, str], name: str, *args: Any) -> Any:
    try:
        return session.call(*args)
    except DbexpertError as exc:
        unavailable[name] = str(exc)
        return None


def sample_big_keys(
    session: HealthSession, info: Mapping[str, Any], budget: int
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """Up to ``budget`` keys read with SCAN (COUNT, never KEYS), their type and MEMORY USAGE: the
    largest :data:`BIG_KEYS_KEPT`, and how many keys were sampled per database."""
    found: list[dict[str, Any]] = []
    sampled: dict[int, int] = {}
    for db in sorted(
        int(name[2:]) for name in info if str(name).startswith("db") and str(name)[2:].isdigit()
    ):
        cursor, seen = 0, 0
        while seen < budget - sum(sampled.values()):
            cursor, keys = session.call("SCAN", cursor, "COUNT", SCAN_COUNT, db=db)
            keys = list(keys)[: budget - sum(sampled.values()) - seen]
            seen += len(keys)
            replies = session.pipeline(
                [c for k in keys for c in (("TYPE", k), ("MEMORY", "USAGE", k))], db=db
            )
            for index, key in enumerate(keys):
                kind, size = replies[2 * index], replies[2 * index + 1]
                if isinstance(size, int):
                    found.append({"db": db, "key": _text(key), "type": _text(kind), "bytes": size})
            found = sorted(found, key=lambda r: -r["bytes"])[:BIG_KEYS_KEPT]
            if int(cursor) == 0:
                break
        sampled[db] = seen
    return found, sampled


def build_snapshot(
    info: Mapping[str, Any],
    settings: Mapping[str, str],
    *,
    slowlog: Sequence[Any] = (),
    latency: Sequence[Any] = (),
    big_keys: Sequence[Mapping[str, Any]] = (),
    sampled: Mapping[int, int] | None = None,
    sample_budget: int = SAMPLE_KEYS,
    unavailable: Mapping[str, str] | None = None,
    source: str = "",
) -> HealthSnapshot:
    """Replies -> snapshot. INFO's ``slaveN`` entries become ``replicas`` rows, ``dbN`` entries
    ``keyspace`` rows, ``errorstat_OOM`` the fact ``oom_rejections``."""
    facts: dict[str, Any] = {name: _plain(info[name]) for name in INFO_FACTS if name in info}
    oom = info.get("errorstat_OOM")
    facts["oom_rejections"] = int(oom.get("count", 0)) if isinstance(oom, Mapping) else 0
    keyspace = [
        {"db": int(str(name)[2:]), "keys": int(v.get("keys", 0)), "expires": int(v.get("expires", 0))}
        for name, v in info.items()
        if str(name).startswith("db") and str(name)[2:].isdigit() and isinstance(v, Mapping)
    ]
    replicas = [
        {"name": str(name), **{k: _plain(v) for k, v in value.items()}}
        for name, value in info.items()
        if str(name).startswith("slave") and str(name)[5:].isdigit() and isinstance(value, Mapping)
    ]
    facts["sampled_keys"] = sum((sampled or {}).values())
    facts["sample_budget"] = sample_budget
    results = {
        "keyspace": sorted(keyspace, key=lambda r: r["db"]),
        "replicas": replicas,
        "slowlog": [_slow_entry(entry) for entry in slowlog],
        "latency": [_latency_entry(entry) for entry in latency],
        "big_keys": [dict(row) for row in big_keys],
    }
    version = str(info.get("redis_version", ""))
    return HealthSnapshot(
        engine=Engine.REDIS,
        version=Version.parse(version) if version else None,
        settings=MappingProxyType(dict(settings)),
        results=MappingProxyType({k: tuple(MappingProxyType(r) for r in v) for k, v in results.items()}),
        facts=MappingProxyType(facts),
        unavailable=MappingProxyType(dict(unavailable or {})),
        source=source,
    )


def _slow_entry(entry: Any) -> dict[str, Any]:
    """A SLOWLOG GET entry: id, start time, duration and the command's name only (arguments dropped)."""
    if isinstance(entry, Mapping):  # redis-py's parsed form
        words, start, micros, ident = (
            entry.get("command", b""),
            entry["start_time"],
            entry["duration"],
            entry["id"],
        )
        name = _text(words).split(" ", 1)[0] if not isinstance(words, list | tuple) else _text(words[0])
    else:
        ident, start, micros, args = entry[0], entry[1], entry[2], entry[3]
        name = _text(args[0]) if args else ""
    return {"id": int(ident), "start_time": int(start), "duration_us": int(micros), "command": name.upper()}


def _latency_entry(entry: Any) -> dict[str, Any]:
    event, when, latest, peak = entry[0], entry[1], entry[2], entry[3]
    return {"event": _text(event), "time": int(when), "latest_ms": int(latest), "max_ms": int(peak)}


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes | bytearray) else str(value)


def _plain(value: Any) -> Any:
    return _text(value) if isinstance(value, bytes | bytearray) else value
