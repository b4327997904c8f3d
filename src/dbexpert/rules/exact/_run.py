"""What ``migrations test`` observed for one migration: the target of the exact-mode rules.

The observations are made by the API on a scratch database; the rules only turn them into
findings, so their metadata and documentation live in one place like every other rule; they
declare ``Target.MIGRATION_RUN``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dbexpert.model import Finding, Location, Mode
from dbexpert.model.migration import Migration, StatementTrace


@dataclass(frozen=True, slots=True)
class MigrationRun:
    migration: Migration
    down_error: str | None = None  # the down script failed: its error
    restore_differences: tuple[str, ...] = ()  # catalog after down vs before up
    up_again_error: str | None = None  # up failed when applied again after down
    repeat_differences: tuple[str, ...] = ()  # catalog after the second up vs after the first
    lost: tuple[tuple[str, int], ...] = ()  # (table or table.column dropped by down, rows it held)
    traces: tuple[StatementTrace, ...] = ()  # the up statements, traced
    linted_lines: frozenset[tuple[str, int]] = frozenset()  # statements a lint finding already covers

    @property
    def down_location(self) -> Location:
        script = self.migration.down or self.migration.up
        return Location(script.path, script.line_offset + 1)

    @property
    def up_location(self) -> Location:
        return Location(self.migration.up.path, self.migration.up.line_offset + 1)


def exact(finding: Finding) -> Finding:
    return replace(finding, mode=Mode.EXACT)
