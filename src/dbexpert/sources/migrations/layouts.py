"""Find migrations in files and folders, and order them the way their tool applies them.

Each folder is recognised from its markers and file names (``tool`` forces one layout):

========================  =============================================================
prisma                    ``migration_lock.toml``, ``<timestamp>_<name>/migration.sql``
drizzle                   ``meta/_journal.json`` (or ``<name>/migration.sql`` + ``snapshot.json``)
alembic                   ``.py`` files assigning ``revision``/``down_revision`` with ``def upgrade``
django                    ``<app>/migrations/*.py`` defining ``class Migration(...)`` (all apps together)
typeorm                   ``.ts``/``.js`` classes implementing ``MigrationInterface``
dbmate                    a ``-- migrate:up`` line in a ``.sql`` file
golang-migrate            ``<version>_<title>.up.sql`` / ``.down.sql``
flyway                    ``V<version>__<description>.sql``, ``U…``, ``R__…``, ``B…``
sql                       any other ``.sql`` file, in natural order (V2 before V10)
========================  =============================================================

Each tool module documents its order and its transaction behaviour, with the source of both.
Alembic, Django and TypeORM migrations are translated into the SQL their tool emits, with each
statement on the line of the call it comes from; what cannot be translated comes back in
:attr:`Discovery.skipped` as ``path:line`` with the reason. Other code in migration folders (Knex,
a Python file that is neither) is reported the same way, like a down script without its up script.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dbexpert.model import InputError
from dbexpert.model.migration import TOOLS, Migration, MigrationScript
from dbexpert.sources.ddl import natural_key
from dbexpert.sources.migrations import (
    alembic,
    dbmate,
    django,
    drizzle,
    flyway,
    golang_migrate,
    prisma,
    typeorm,
)
from dbexpert.sources.migrations._files import Skipped, read_text, walk

CODE_TOOLS = ("alembic", "django", "typeorm")
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
        if tool in CODE_TOOLS:
            groups.append((folder, ([], [(str(f), f"not a {tool} migration") for f in sql_files])))
            continue
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

    code_groups, unclaimed = _code(root, rest, set(by_dir), tool)
    groups.extend(code_groups)
    skipped_code = _unsupported(root, unclaimed, set(by_dir))
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


def _code_tool(file: Path, tool: str | None) -> str | None:
    """The code migration tool a file belongs to, from its contents (``tool`` forces one)."""
    if file.name in _NOT_MIGRATIONS or file.name.endswith(".d.ts"):
        return None
    language = _CODE_SUFFIXES.get(file.suffix)
    if language == "Python":
        if tool == "alembic":
            return tool
        if tool == "django":
            return tool if file.parent.name == "migrations" else None
        text = read_text(file) if tool is None else ""
        if alembic.is_alembic_source(text):
            return "alembic"
        if file.parent.name == "migrations" and django.is_django_source(text):
            return "django"
    elif language in ("TypeScript", "JavaScript"):
        if tool == "typeorm" or (tool is None and typeorm.is_typeorm_source(read_text(file))):
            return "typeorm"
    return None


def _code(
    root: Path, files: Sequence[Path], sql_dirs: set[Path], tool: str | None
) -> tuple[list[tuple[Path, Read]], list[Path]]:
    """Alembic, Django and TypeORM migrations among ``files``: read, and the files left."""
    if tool is not None and tool not in CODE_TOOLS:
        return [], list(files)
    by_tool: dict[tuple[str, Path], list[Path]] = {}
    left: list[Path] = []
    for file in files:
        in_place = file.parent == root or file.parent.name in _MIGRATION_DIR_NAMES or tool is not None
        found = _code_tool(file, tool) if in_place and file.parent not in sql_dirs else None
        if found is None:
            left.append(file)
            continue
        # Django reads every app together (dependencies cross apps); the others folder by folder.
        key = (found, root if found == "django" else file.parent)
        by_tool.setdefault(key, []).append(file)
    readers = {"alembic": alembic.read, "django": django.read, "typeorm": typeorm.read}
    groups = [(min(f.parent for f in group), readers[name](group)) for (name, _), group in by_tool.items()]
    return groups, left


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
        return "Python file in a migrations folder that is neither an Alembic revision nor a Django migration"
    return (
        f"{language} file that is not a TypeORM migration (MigrationInterface): other tools are not supported"
    )


# -- single files ------------------------------------------------------------------------------


def _file(path: Path, tool: str | None, pg_version: int | None) -> Read:
    language = _CODE_SUFFIXES.get(path.suffix)
    if language is not None:
        found_tool = _code_tool(path, tool if tool in CODE_TOOLS else None)
        if found_tool == "alembic":  # the siblings give the revision order; only this file is kept
            return _only(
                path, *alembic.read([f for f in path.parent.glob("*.py") if _code_tool(f, "alembic")])
            )
        if found_tool == "django":  # the state before it comes from every app's earlier migrations
            project = path.parent.parent.parent
            siblings = [f for f in walk(project) if f.suffix == ".py" and _code_tool(f, "django")]
            return _only(path, *django.read(siblings))
        if found_tool == "typeorm":
            return typeorm.read([path])
        return [], [(str(path), _code_reason(path, language))]
    if tool in CODE_TOOLS:
        return [], [(str(path), f"not a {tool} migration")]
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
    skipped = [s for s in left if s[0] == str(path) or s[0].startswith(f"{path}:")]
    if not mine and not skipped:
        owner = next((m for m in found if m.down and Path(m.down.path) == path), None)
        if owner is not None:
            skipped.append((str(path), f"down/undo script of {owner.id}: it is read with that migration"))
    return mine, skipped
