"""Find migrations in files and folders, and order them the way their tool applies them.

Each folder is recognised from its markers and file names (``tool`` forces one layout):

========================  =============================================================
prisma                    ``migration_lock.toml``, ``<timestamp>_<name>/migration.sql``
drizzle                   ``meta/_journal.json`` (or ``<name>/migration.sql`` + ``snapshot.json``)
dbmate                    a ``-- migrate:up`` line in a ``.sql`` file
golang-migrate            ``<version>_<title>.up.sql`` / ``.down.sql``
flyway                    ``V<version>__<description>.sql``, ``U…``, ``R__…``, ``B…``
sql                       any other ``.sql`` file, in natural order (V2 before V10)
========================  =============================================================

Each tool module documents its order and its transaction behaviour, with the source of both.
Python and TypeScript migrations (Alembic, Django, TypeORM, ...) are not read yet: they come back
in :attr:`Discovery.skipped` with the reason, like a down script without its up script.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dbexpert.model import InputError
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.ddl import natural_key
from dbexpert.sources.migrations import dbmate, drizzle, flyway, golang_migrate, prisma
from dbexpert.sources.migrations._files import Skipped, read_text, walk

TOOLS = ("sql", "flyway", "golang-migrate", "dbmate", "prisma", "drizzle")
TRANSACTION_MODES = ("auto", "always", "never")

_CODE_SUFFIXES = {
    ".py": "Python",
    ".ts": "TypeScript",
    ".js": "JavaScript",
    ".mjs": "JavaScript",
    ".cjs": "JavaScript",
}
_MIGRATION_DIR_NAMES = frozenset({"versions", "migrations", "migration", "migrate"})
_NOT_MIGRATIONS = frozenset({"__init__.py", "env.py", "conftest.py", "setup.py", "manage.py"})

Read = tuple[list[Migration], list[Skipped]]


@dataclass(frozen=True, slots=True)
class Discovery:
    """The migrations found, in application order, and the files left aside with the reason."""

    migrations: tuple[Migration, ...]
    skipped: tuple[tuple[str, str], ...]  # (path, reason)


def discover(
    paths: Sequence[Path],
    tool: str | None = None,
    transaction: str = "auto",
    *,
    pg_version: int | None = None,
) -> Discovery:
    """Migrations under ``paths`` (files or folders), in the order their tool applies them.

    ``tool`` forces a layout (one of :data:`TOOLS`); by default each folder is recognised on its
    own. ``transaction``: ``"auto"`` keeps what the tool does, ``"always"``/``"never"`` override it
    for every migration. ``pg_version`` (major) matters to Flyway only: before PostgreSQL 12 it runs
    a script with ALTER TYPE ... ADD VALUE outside a transaction; None assumes 12 or later.
    """
    if tool is not None and tool not in TOOLS:
        raise InputError(f"unknown migration tool {tool!r}; expected one of: {', '.join(TOOLS)}")
    if transaction not in TRANSACTION_MODES:
        raise InputError(
            f"unknown transaction mode {transaction!r}; expected one of: {', '.join(TRANSACTION_MODES)}"
        )
    migrations: list[Migration] = []
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            found, left = _folder(path, tool, pg_version)
        elif path.is_file():
            found, left = _file(path, tool, pg_version)
        else:
            raise InputError(f"{path}: no such file or directory")
        migrations.extend(found)
        skipped.extend(left)
    if transaction != "auto":
        migrations = [replace(m, transactional=transaction == "always") for m in migrations]
    return Discovery(tuple(migrations), tuple(skipped))


# -- folders -----------------------------------------------------------------------------------


def _folder(root: Path, tool: str | None, pg_version: int | None) -> Read:
    files = walk(root)
    roots = _tool_roots(root, files, tool)
    claimed = [file for file in files if any(r in file.parents for r, _ in roots)]
    rest = sorted(set(files) - set(claimed), key=natural_key)

    groups: list[tuple[Path, Read]] = []
    for folder, reader in roots:
        groups.append((folder, reader(folder)))

    by_dir: dict[Path, list[Path]] = {}
    for file in rest:
        if file.suffix == ".sql":
            by_dir.setdefault(file.parent, []).append(file)
    pooled: dict[str, tuple[Path, list[Path]]] = {}  # flyway and raw SQL read all their folders together
    for folder, sql_files in by_dir.items():
        layout = tool or _detect(sql_files)
        if layout in ("flyway", "sql"):
            pooled.setdefault(layout, (folder, []))[1].extend(sql_files)
        elif layout in ("prisma", "drizzle"):  # forced, but not laid out that way
            groups.append(
                (folder, ([], [(str(f), f"not part of a {layout} migrations folder") for f in sql_files]))
            )
        else:
            groups.append((folder, _flat(layout, sql_files, pg_version)))
    for layout, (first, pool) in pooled.items():
        groups.append((first, _flat(layout, pool, pg_version)))

    skipped_code = _unsupported(root, rest, set(by_dir))
    groups.sort(key=lambda group: natural_key(group[0]))
    migrations = [m for _, (found, _) in groups for m in found]
    skipped = [s for _, (_, left) in groups for s in left] + skipped_code
    return migrations, skipped


def _tool_roots(root: Path, files: list[Path], tool: str | None) -> list[tuple[Path, Callable[[Path], Read]]]:
    """Folders laid out as a whole by Prisma or Drizzle, with the reader for each."""
    if tool not in (None, "prisma", "drizzle"):
        return []
    drizzle_roots = {
        f.parent.parent for f in files if f.name == "_journal.json" and f.parent.name == "meta"
    } | {
        f.parent.parent for f in files if f.name == "migration.sql" and (f.parent / "snapshot.json").is_file()
    }
    prisma_roots = {f.parent for f in files if f.name == prisma.LOCK} | {
        f.parent.parent
        for f in files
        if f.name == "migration.sql"
        and (tool == "prisma" or (f.parent.name[:1].isdigit() and not (f.parent / "snapshot.json").is_file()))
    }
    if tool == "prisma":
        return [(r, prisma.read) for r in _outermost(prisma_roots or {root})]
    if tool == "drizzle":
        return [(r, drizzle.read) for r in _outermost(drizzle_roots or {root})]
    prisma_roots -= drizzle_roots
    found = [(r, drizzle.read) for r in drizzle_roots] + [(r, prisma.read) for r in prisma_roots]
    keep = set(_outermost({r for r, _ in found}))
    return [(r, reader) for r, reader in found if r in keep]


def _outermost(folders: set[Path]) -> list[Path]:
    return sorted(
        (f for f in folders if not any(o != f and o in f.parents for o in folders)), key=natural_key
    )


def _detect(sql_files: Sequence[Path]) -> str:
    """The tool one folder of ``.sql`` files belongs to, from names first and contents second."""
    names = [f.name for f in sql_files]
    if any(golang_migrate.is_golang_name(n) for n in names):
        return "golang-migrate"
    if any(flyway.is_flyway_name(n) for n in names):
        return "flyway"
    if any(dbmate.has_up_directive(read_text(f)) for f in sql_files):
        return "dbmate"
    return "sql"


def _flat(layout: str, files: Sequence[Path], pg_version: int | None) -> Read:
    """Migrations of a tool whose migrations are plain files in a folder."""
    if layout == "flyway":
        return flyway.read(files, pg_version)
    if layout == "golang-migrate":
        return golang_migrate.read(files)
    if layout == "dbmate":
        return dbmate.read(files)
    return [_raw(file) for file in sorted(files, key=natural_key)], []


def _raw(file: Path) -> Migration:
    # A plain SQL file run by psql or a client library: each statement commits on its own unless
    # the file says BEGIN.
    return Migration(
        id=file.stem, tool="sql", up=MigrationScript(str(file), read_text(file)), transactional=False
    )


def _unsupported(root: Path, files: Sequence[Path], sql_dirs: set[Path]) -> list[Skipped]:
    """Code migrations in migration folders holding no SQL migration: not read yet, said so.

    ``files`` excludes Prisma and Drizzle folders already; code elsewhere (application sources
    under a project folder) is not mistaken for migrations.
    """
    skipped: list[Skipped] = []
    for file in files:
        language = _CODE_SUFFIXES.get(file.suffix)
        if language is None or file.name in _NOT_MIGRATIONS or file.parent in sql_dirs:
            continue
        if file.parent == root or file.parent.name in _MIGRATION_DIR_NAMES:
            skipped.append((str(file), _code_reason(file, language)))
    return skipped


def _code_reason(file: Path, language: str) -> str:
    if language == "Python":
        kind = (
            "Alembic"
            if file.parent.name == "versions"
            else "Django"
            if file.parent.name == "migrations"
            else ""
        )
        return f"{kind or 'Python'} migrations are not supported yet"
    return f"{language} migrations (TypeORM, Knex, ...) are not supported yet"


# -- single files ------------------------------------------------------------------------------


def _file(path: Path, tool: str | None, pg_version: int | None) -> Read:
    language = _CODE_SUFFIXES.get(path.suffix)
    if language is not None:
        return [], [(str(path), _code_reason(path, language))]
    layout = tool or _detect_file(path)
    if layout in ("prisma", "drizzle"):
        root = path.parent.parent if path.name == "migration.sql" else path.parent
        found, left = (prisma.read if layout == "prisma" else drizzle.read)(root)
    else:
        found, left = _flat(layout, [path, *_counterparts(path, layout)], pg_version)
    return _only(path, found, left)


def _detect_file(path: Path) -> str:
    if drizzle.is_root(path.parent):
        return "drizzle"
    if path.name == "migration.sql":
        if (path.parent / "snapshot.json").is_file():
            return "drizzle"
        if (path.parent.parent / prisma.LOCK).is_file() or path.parent.name[:1].isdigit():
            return "prisma"
    if golang_migrate.is_golang_name(path.name):
        return "golang-migrate"
    if flyway.is_flyway_name(path.name):
        return "flyway"
    if dbmate.has_up_directive(read_text(path)):
        return "dbmate"
    return "sql"


def _counterparts(path: Path, layout: str) -> list[Path]:
    """The other direction of a migration given alone: its undo/down file, or its up file."""
    if layout == "flyway" and (name := flyway.parse_name(path.name)) and name.prefix in ("V", "U"):
        other = "U" if name.prefix == "V" else "V"
        return [
            f
            for f in path.parent.glob(f"{other}*.sql")
            if (o := flyway.parse_name(f.name)) and o.prefix == other and o.version == name.version
        ]
    if layout == "golang-migrate" and golang_migrate.is_golang_name(path.name):
        version = path.name.partition("_")[0]
        other = "down" if path.name.endswith(".up.sql") else "up"
        return [
            f
            for f in path.parent.glob(f"*_*.{other}.sql")
            if golang_migrate.is_golang_name(f.name) and int(f.name.partition("_")[0]) == int(version)
        ]
    return []


def _only(path: Path, found: list[Migration], left: list[Skipped]) -> Read:
    """What a reader said about ``path`` itself, when it was given alone."""
    mine = [m for m in found if Path(m.up.path) == path]
    skipped = [s for s in left if Path(s[0]) == path]
    if not mine and not skipped:
        owner = next((m for m in found if m.down and Path(m.down.path) == path), None)
        if owner is not None:
            skipped.append((str(path), f"down/undo script of {owner.id}: it is read with that migration"))
    return mine, skipped
