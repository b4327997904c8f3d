"""Database URLs: parse them, tell engines apart, and never let a password out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import parse_qsl, unquote, urlsplit

from dbexpert.model import Engine, InputError

_SCHEMES: Mapping[str, Engine] = {
    "postgresql": Engine.POSTGRES,
    "postgres": Engine.POSTGRES,
    "postgresql+psycopg": Engine.POSTGRES,
    "mysql": Engine.MYSQL,
    "mariadb": Engine.MYSQL,
    "mysql+pymysql": Engine.MYSQL,
    "sqlite": Engine.SQLITE,
    "mongodb": Engine.MONGODB,
    "mongodb+srv": Engine.MONGODB,
    "redis": Engine.REDIS,
    "rediss": Engine.REDIS,
    "dynamodb": Engine.DYNAMODB,
}
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3")
_PASSWORD_IN_URL = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<tail>@)", re.I)
_PASSWORD_PARAM = re.compile(r"(?P<head>\b(?:password|pwd|passwd)=)(?P<pw>[^&\s]+)", re.I)


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    engine: Engine
    scheme: str
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str | None = None
    path: Path | None = None  # SQLite file
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def redacted(self) -> str:
        """The URL for display: the password replaced by ``***``."""
        if self.engine is Engine.SQLITE:
            return f"sqlite:///{self.path}"
        auth = ""
        if self.user:
            auth = self.user + (":***" if self.password else "") + "@"
        host = self.host or ""
        port = f":{self.port}" if self.port else ""
        db = f"/{self.database}" if self.database else ""
        return f"{self.scheme}://{auth}{host}{port}{db}"

    def __str__(self) -> str:
        return self.redacted()


def redact(text: str) -> str:
    """Remove passwords from any text that may contain URLs or ``password=`` parameters."""
    text = _PASSWORD_IN_URL.sub(lambda m: m.group("head") + "***" + m.group("tail"), text)
    return _PASSWORD_PARAM.sub(lambda m: m.group("head") + "***", text)


def is_url(target: str) -> bool:
    scheme = target.split("://", 1)[0].lower() if "://" in target else ""
    return scheme in _SCHEMES


def is_sqlite_file(target: str) -> bool:
    path = Path(target)
    if path.suffix.lower() in _SQLITE_SUFFIXES and path.is_file():
        return True
    if path.is_file():
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    return False


def parse_url(text: str) -> DatabaseUrl:
    """Parse a database URL or a bare SQLite file path. Malformed input raises :class:`InputError`."""
    if "://" not in text:
        if is_sqlite_file(text):
            return DatabaseUrl(engine=Engine.SQLITE, scheme="sqlite", path=Path(text))
        raise InputError(
            f"not a database URL: {redact(text)!r} (expected postgresql://, mysql://, sqlite:///path)"
        )
    scheme = text.split("://", 1)[0].lower()
    engine = _SCHEMES.get(scheme)
    if engine is None:
        raise InputError(f"unsupported URL scheme {scheme!r} in {redact(text)!r}")
    if engine is Engine.SQLITE:
        raw = text.split("://", 1)[1]
        raw = raw.split("?", 1)[0]
        if not raw.startswith("/"):
            raise InputError(
                f"malformed SQLite URL {text!r}: use sqlite:///relative/path or sqlite:////absolute/path"
            )
        path = raw[1:] if not raw.startswith("//") else raw[1:]
        if not path:
            raise InputError(f"malformed SQLite URL {text!r}: no file path")
        return DatabaseUrl(engine=engine, scheme="sqlite", path=Path(unquote(path)))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"malformed URL {redact(text)!r}: {exc}") from None
    if not parts.hostname and engine is not Engine.DYNAMODB:
        raise InputError(f"malformed URL {redact(text)!r}: no host")
    database = unquote(parts.path.lstrip("/")) or None
    return DatabaseUrl(
        engine=engine,
        scheme=scheme,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        database=database,
        params=MappingProxyType(dict(parse_qsl(parts.query))),
    )
