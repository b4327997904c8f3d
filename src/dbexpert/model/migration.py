"""A migration as the tools people use define it: ordered, with its up and down SQL and its transaction."""

from __future__ import annotations

from dataclasses import dataclass

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
