"""Drizzle Kit: ``drizzle/<NNNN>_<name>.sql`` applied in the order of ``meta/_journal.json``.

The journal's ``entries`` decide which files run and in which order (``readMigrationFiles`` walks
them and reads ``<tag>.sql``); a ``.sql`` file the journal does not name is never applied.
``--> statement-breakpoint`` lines separate statements; to SQL they are comments. The newer
folder layout (``<timestamp>_<name>/migration.sql`` beside ``snapshot.json``, no journal) is
ordered by folder name.

Transactions: ``drizzle-kit migrate`` (and ``migrate()`` from ``drizzle-orm/*/migrator``) runs all
pending migrations inside ONE transaction on PostgreSQL
(https://orm.drizzle.team/docs/drizzle-kit-migrate; the behaviour is tracked in
https://github.com/drizzle-team/drizzle-orm/issues/3249), so every migration is transactional,
and locks taken by one migration are held until the last pending one finishes.
"""

from __future__ import annotations

import json
from pathlib import Path

from dbexpert.model import InputError
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.migrations._files import Skipped, read_text
from dbexpert.sources.migrations.prisma import read_folders

TOOL = "drizzle"
JOURNAL = Path("meta") / "_journal.json"


def is_root(folder: Path) -> bool:
    return (folder / JOURNAL).is_file()


def is_folder_root(folder: Path) -> bool:
    """The journal-less layout: migration folders each with ``migration.sql`` and ``snapshot.json``."""
    try:
        children = [c for c in folder.iterdir() if c.is_dir()]
    except OSError:
        return False
    return any((c / "migration.sql").is_file() and (c / "snapshot.json").is_file() for c in children)


def read(root: Path) -> tuple[list[Migration], list[Skipped]]:
    journal_path = root / JOURNAL
    if not journal_path.is_file():
        if is_folder_root(root):
            return read_folders(root, TOOL, in_transaction=True)
        raise InputError(f"{root}: no {JOURNAL}: drizzle-kit applies only the migrations its journal lists")
    entries, dialect = _journal(journal_path)
    migrations: list[Migration] = []
    named: set[str] = set()
    for tag in entries:
        file = root / f"{tag}.sql"
        if not file.is_file():
            raise InputError(f"{journal_path}: names migration {tag!r} but {file} does not exist")
        named.add(file.name)
        notes = [tag.partition("_")[2].replace("_", " ")]
        if dialect:
            notes.append(f"dialect: {dialect}")
        migrations.append(
            Migration(
                id=tag,
                tool=TOOL,
                up=MigrationScript(str(file), read_text(file)),
                transactional=True,
                description="; ".join(notes),
            )
        )
    skipped = [
        (str(file), f"not listed in {journal_path}: drizzle-kit does not apply it")
        for file in sorted(root.glob("*.sql"))
        if file.name not in named
    ]
    return migrations, skipped


def _journal(path: Path) -> tuple[list[str], str]:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: no 'entries' list in the Drizzle journal")
    tags: list[str] = []
    for entry in entries:
        tag = entry.get("tag") if isinstance(entry, dict) else None
        if not isinstance(tag, str) or not tag or "/" in tag or "\\" in tag:
            raise InputError(f"{path}: a journal entry without a valid 'tag': {entry!r}")
        tags.append(tag)
    dialect = data.get("dialect", "")
    return tags, dialect if isinstance(dialect, str) else ""
