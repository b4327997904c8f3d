"""A migration as the tools people use define it: ordered, with its up and down SQL and its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The migration tools whose layouts and transaction behaviour dbexpert knows.
TOOLS = ("sql", "flyway", "golang-migrate", "dbmate", "prisma", "drizzle", "alembic", "django", "typeorm")
TRANSACTION_MODES = ("auto", "always", "never")  # the tool's behaviour, or the user's override


@dataclass(frozen=True, slots=True)
class MigrationScript:
    """SQL text of one direction of a migration, and where it came from."""

    path: str
    text: str
    line_offset: int = 0  # lines before ``text`` in ``path`` (SQL embedded in a larger file)


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration of a tool's sequence, in the order the tool applies them."""

    id: str  # the tool's identity of it: "V3__add_index", "20240101120000_add_x", a file name
    tool: str  # "sql" | "flyway" | "golang-migrate" | "dbmate" | "prisma" | "drizzle" | ...
    up: MigrationScript
    down: MigrationScript | None = None
    # Whether the tool runs the up script inside one transaction. Statements inside explicit
    # BEGIN/COMMIT are in a transaction either way.
    transactional: bool = False
    description: str = ""


# Observed on a scratch database (``migrations test``) ------------------------------------------

STRONG_LOCKS = frozenset({"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"})
Lock = tuple[str, str]  # (relation, mode)


@dataclass(frozen=True, slots=True)
class StatementTrace:
    """What one statement did, as observed on the scratch database."""

    path: str
    line: int
    sql: str
    ms: float
    locks: tuple[Lock, ...]  # locks on user relations taken by the statement, strongest per relation
    rewritten: tuple[str, ...]  # tables whose relfilenode changed: their data was rewritten
    blocks_reads: bool
    blocks_writes: bool
    how: str  # "probe" (measured while the locks were held) or "lock table" (from the modes sampled)
    probes: tuple[str, ...] = ()  # what each probe saw, for the evidence

    @property
    def rewrite(self) -> bool:
        return bool(self.rewritten)

    @property
    def strong_locks(self) -> tuple[Lock, ...]:
        return tuple(lock for lock in self.locks if lock[1] in STRONG_LOCKS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "locks": [{"relation": rel, "mode": mode} for rel, mode in self.locks],
            "rewrite": self.rewrite,
            "rewritten": list(self.rewritten),
            "ms": round(self.ms, 2),
            "blocks_reads": self.blocks_reads,
            "blocks_writes": self.blocks_writes,
            "how": self.how,
        }
