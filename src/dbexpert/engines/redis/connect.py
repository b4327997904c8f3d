"""A read-only session to one Redis server.

Read-only by construction: every command goes through :meth:`RedisSession.call`, which refuses any
command outside :data:`READ_COMMANDS` (no ``KEYS``, no write, no ``FLUSH``, no ``CONFIG SET``). The
socket has connect and read timeouts, and errors name the server by its redacted URL only: the
password or ACL user's secret never reaches a message.
"""

from __future__ import annotations

from typing import Any

import redis
import redis.exceptions

from dbexpert.engines.base import SessionOptions
from dbexpert.engines.url import DatabaseUrl, redact
from dbexpert.model import Catalog, ConnectError, DbexpertError, Engine, InputError, StatsSource, Version

# The only commands a session sends (first word, or first two for container commands).
READ_COMMANDS = frozenset({
    "PING", "INFO", "CONFIG GET", "SLOWLOG GET", "LATENCY LATEST", "CLIENT LIST", "MEMORY STATS",
    "MEMORY USAGE", "SCAN", "TYPE", "TTL", "PTTL", "OBJECT ENCODING",
    # content reads for checksums (backup manifest / verify): bounded by SCAN, never KEYS
    "GET", "LRANGE", "LLEN", "SSCAN", "HSCAN", "ZSCAN", "XRANGE", "DUMP",
})  # fmt: skip
_CONTAINERS = frozenset({"CONFIG", "SLOWLOG", "LATENCY", "CLIENT", "MEMORY", "OBJECT"})
_URL_PARAMS = frozenset({"ssl_cert_reqs", "ssl_ca_certs"})


class RedisSession:
    """Implements :class:`dbexpert.engines.base.EngineSession` for ``redis://`` and ``rediss://`` URLs.
    The URL's path names the database the catalog describes (``/0`` by default); health reads are
    server-wide."""

    def __init__(self, url: DatabaseUrl, options: SessionOptions) -> None:
        self.url = url
        self.round_trips = 0
        self.database = _database_number(url)
        self._options = options
        self._clients: dict[int, redis.Redis] = {}
        self.version_text = ""

    @classmethod
    def open(cls, url: DatabaseUrl, options: SessionOptions) -> RedisSession:
        unknown = sorted(set(url.params) - _URL_PARAMS)
        if unknown:
            raise InputError(
                f"unsupported parameter(s) {', '.join(unknown)} in {url.redacted()} "
                f"(supported: {', '.join(sorted(_URL_PARAMS))})"
            )
        session = cls(url, options)
        try:
            info = session.call("INFO", "server")
        except BaseException:
            session.close()
            raise
        session.version_text = str(info.get("redis_version", ""))
        return session

    def client(self, db: int | None = None) -> redis.Redis:
        """The connection to database ``db`` (one client per database: SELECT stays out of the way)."""
        number = self.database if db is None else db
        if number not in self._clients:
            url, options = self.url, self._options
            self._clients[number] = redis.Redis(
                host=url.host or "127.0.0.1",
                port=url.port or 6379,
                db=number,
                username=url.user,
                password=url.password,
                ssl=url.scheme == "rediss",
                ssl_cert_reqs=url.params.get("ssl_cert_reqs", "required"),
                ssl_ca_certs=url.params.get("ssl_ca_certs"),
                socket_connect_timeout=options.connect_timeout_s,
                socket_timeout=options.connect_timeout_s + options.statement_timeout_ms / 1000,
                decode_responses=False,
            )
        return self._clients[number]

    def call(self, *args: Any, db: int | None = None) -> Any:
        """One read-only command; anything else is refused before it is sent."""
        check_read_only(args)
        self.round_trips += 1
        try:
            return self.client(db).execute_command(*args)
        except redis.exceptions.RedisError as exc:
            raise self.error(exc, " ".join(str(a) for a in args[:2])) from None

    def pipeline(self, commands: list[tuple[Any, ...]], db: int | None = None) -> list[Any]:
        """Read-only commands in one round trip; a per-command error comes back as the exception value."""
        for command in commands:
            check_read_only(command)
        if not commands:
            return []
        self.round_trips += 1
        pipe = self.client(db).pipeline(transaction=False)
        for command in commands:
            pipe.execute_command(*command)
        try:
            return list(pipe.execute(raise_on_error=False))
        except redis.exceptions.RedisError as exc:
            raise self.error(exc, str(commands[0][0])) from None

    def error(self, exc: Exception, doing: str) -> DbexpertError:
        """A one-line error naming the redacted URL: connection and authentication fail with exit 3."""
        text = redact(str(exc))
        if self.url.password:
            text = text.replace(self.url.password, "***")
        if isinstance(exc, redis.exceptions.AuthenticationError | redis.exceptions.ConnectionError):
            return ConnectError(f"cannot connect to {self.url.redacted()}: {text}")
        if isinstance(exc, redis.exceptions.TimeoutError):
            return ConnectError(f"{self.url.redacted()}: {doing} timed out: {text}")
        if "NOAUTH" in text or "WRONGPASS" in text:
            return ConnectError(f"cannot connect to {self.url.redacted()}: {text}")
        return DbexpertError(f"{self.url.redacted()}: {doing}: {text}")

    def introspect(self) -> Catalog:
        """Redis has no schema: the catalog carries the server version and the keyspace summary."""
        keyspace = self.call("INFO", "keyspace")
        return Catalog(
            engine=Engine.REDIS,
            version=Version.parse(self.version_text) if self.version_text else None,
            database=str(self.database),
            source=StatsSource.LIVE,
            attrs={"keyspace": {str(k): dict(v) for k, v in keyspace.items() if isinstance(v, dict)}},
        )

    @property
    def probe(self) -> Any:
        return None  # no tables: the schema rules that probe values do not apply

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> RedisSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_read_only(args: tuple[Any, ...]) -> None:
    """Refuse anything but a read: the session cannot write, even by mistake in our own code."""
    words = [str(a).upper() for a in args[:2]]
    name = " ".join(words[:2]) if words and words[0] in _CONTAINERS else (words[0] if words else "")
    if name not in READ_COMMANDS:
        raise DbexpertError(f"refused to send {name or 'an empty command'!r}: the Redis session is read-only")


def _database_number(url: DatabaseUrl) -> int:
    text = url.database or "0"
    if not text.isdigit():
        raise InputError(f"{url.redacted()}: the path names a Redis database number (redis://host:6379/0)")
    return int(text)
