"""What a live server tells about its health, read once per audit: settings, named result sets
(sessions, locks, vacuum state, replication, ...) and facts about the machine, for the ops rules.

Each engine's ``health.py`` fills a :class:`HealthSnapshot` in a few read-only round trips; the rules
read it by name and cite the rows they judged as evidence. A result set that could not be read
(missing privilege, extension, or server feature) is absent and its reason is in ``unavailable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dbexpert.model.catalog import Engine, Version

Row = Mapping[str, Any]


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    engine: Engine
    version: Version | None = None
    flavor: str | None = None  # "mariadb" for MariaDB
    settings: Mapping[str, str] = field(default_factory=_empty)  # server settings, as the server prints them
    results: Mapping[str, tuple[Row, ...]] = field(default_factory=_empty)  # named result sets
    facts: Mapping[str, Any] = field(
        default_factory=_empty
    )  # single values: uptime, memory, database size...
    unavailable: Mapping[str, str] = field(default_factory=_empty)  # result set -> why it could not be read
    source: str = ""  # where it came from (redacted URL or file)

    def rows(self, name: str) -> tuple[Row, ...]:
        """The rows of a named result set; empty when it was not read."""
        return self.results.get(name, ())

    def setting(self, name: str) -> str | None:
        return self.settings.get(name)

    def has(self, name: str) -> bool:
        return name in self.results
