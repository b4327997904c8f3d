"""What every live engine offers: a read-only session that introspects a catalog in O(1) round trips."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import Catalog
from dbexpert.model.probe import LiveProbe


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Safety limits every live session applies."""

    statement_timeout_ms: int = 30_000
    lock_timeout_ms: int = 1_000
    connect_timeout_s: int = 10
    application_name: str = "dbexpert"


class EngineSession(Protocol):
    """A read-only connection to one database. Use as a context manager; it closes itself."""

    url: DatabaseUrl
    round_trips: int  # SQL round trips made so far (introspection must not grow with table count)

    def introspect(self) -> Catalog: ...

    @property
    def probe(self) -> LiveProbe: ...

    def close(self) -> None: ...

    def __enter__(self) -> EngineSession: ...

    def __exit__(self, *exc: object) -> None: ...
