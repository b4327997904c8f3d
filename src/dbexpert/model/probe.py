"""Bounded, read-only questions a rule may ask a live database, answered by the engine.

Rules never open connections. In live mode the engine hands them a :class:`LiveProbe`; in static
mode they get ``None`` and report what the schema alone shows. Every probe is bounded (LIMIT or
a sample) and runs inside the engine's read-only session with its timeouts.
"""

from __future__ import annotations

from typing import Protocol

from dbexpert.model.catalog import Table


class LiveProbe(Protocol):
    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        """Up to ``limit`` non-null values of ``column`` as text."""
        ...

    def count_orphans(
        self,
        child: Table,
        columns: tuple[str, ...],
        parent: Table,
        ref_columns: tuple[str, ...],
        limit: int = 10000,
    ) -> tuple[int, int]:
        """Among up to ``limit`` non-null child key values: (values checked, values with no parent row)."""
        ...
