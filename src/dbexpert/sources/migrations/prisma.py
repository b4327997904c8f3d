"""Prisma Migrate: ``prisma/migrations/<timestamp>_<name>/migration.sql`` and ``migration_lock.toml``.

Order: folder name order, as ``prisma migrate deploy`` lists the migrations folder. The provider
named in ``migration_lock.toml`` is recorded in the description (``provider: postgresql``).

Transactions: Prisma does not wrap a migration in BEGIN/COMMIT
(https://github.com/prisma/prisma/discussions/3774; the docs suggest adding them yourself), but its
schema engine sends the whole ``migration.sql`` as one simple-query batch, which PostgreSQL runs as
one implicit transaction: a file of several statements is atomic and CREATE INDEX CONCURRENTLY
fails in it, while a file holding that single statement succeeds
(https://github.com/prisma/prisma/issues/14456). Prisma has no down files; a ``down.sql`` saved
next to ``migration.sql`` (https://www.prisma.io/docs/orm/prisma-migrate/workflows/generating-down-migrations)
is paired as the down script.
"""

from __future__ import annotations

import re
from pathlib import Path

from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.migrations._files import Skipped, read_text, scan_statements

TOOL = "prisma"
LOCK = "migration_lock.toml"

_PROVIDER = re.compile(r"""(?m)^\s*provider\s*=\s*["']([^"']+)["']""")


def is_root(folder: Path) -> bool:
    """A Prisma migrations folder: it has the lock file, or migration folders without snapshots."""
    if (folder / LOCK).is_file():
        return True
    children = [c for c in _children(folder) if (c / "migration.sql").is_file()]
    return bool(children) and not any((c / "snapshot.json").is_file() for c in children)


def read(root: Path) -> tuple[list[Migration], list[Skipped]]:
    provider = ""
    if (root / LOCK).is_file():
        match = _PROVIDER.search(read_text(root / LOCK))
        provider = match.group(1) if match else ""
    return read_folders(root, TOOL, provider=provider)


def read_folders(
    root: Path, tool: str, *, provider: str = "", in_transaction: bool = False
) -> tuple[list[Migration], list[Skipped]]:
    """One migration per ``<name>/migration.sql`` folder under ``root``, in folder name order.

    ``in_transaction``: the tool runs every migration in a transaction; otherwise a script is
    transactional when it holds several statements (one implicit transaction on PostgreSQL).
    """
    migrations: list[Migration] = []
    skipped: list[Skipped] = []
    for folder in sorted(_children(root), key=lambda path: path.name):
        script = folder / "migration.sql"
        if not script.is_file():
            if any(folder.glob("*.sql")):
                skipped.append((str(folder), "migration folder without migration.sql"))
            continue
        text = read_text(script)
        down = folder / "down.sql"
        notes = [folder.name.partition("_")[2].replace("_", " ")]
        if provider:
            notes.append(f"provider: {provider}")
        migrations.append(
            Migration(
                id=folder.name,
                tool=tool,
                up=MigrationScript(str(script), text),
                down=MigrationScript(str(down), read_text(down)) if down.is_file() else None,
                transactional=in_transaction or len(scan_statements(text)) > 1,
                description="; ".join(notes),
            )
        )
    return migrations, skipped


def _children(folder: Path) -> list[Path]:
    try:
        return [child for child in folder.iterdir() if child.is_dir() and not child.name.startswith(".")]
    except OSError:
        return []
