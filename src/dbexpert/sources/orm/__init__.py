"""ORM schema definitions (Prisma, TypeORM, Drizzle, SQLAlchemy, Django) read into the same
:class:`~dbexpert.model.Catalog` as DDL, with locations at the ORM source lines.

Each reader module offers ``find(target) -> list[Path]`` (the files of its ORM under a file or an
application folder; empty when there are none) and ``load(files) -> OrmSchema``. ``find_orm_schema``
asks them in :data:`READERS` order and loads the first that finds something.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from dbexpert.model import Catalog, ForeignKey, Index, IndexKey

# Reader modules under dbexpert.sources.orm, in the order they are asked.
READERS = ("prisma", "typeorm", "drizzle", "sqlalchemy", "django")
# Vendored, generated and build output: scanning them would report other people's code or compiled copies.
SKIPPED_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        "dist",
        "build",
        "out",
        "site-packages",
        ".next",
        ".nuxt",
        ".svelte-kit",
        ".output",
        ".turbo",
        ".cache",
        "coverage",
        ".tox",
        ".mypy_cache",
    }
)


@dataclass(frozen=True, slots=True)
class OrmSchema:
    catalog: Catalog
    orm: str  # "prisma", "typeorm", "drizzle", "sqlalchemy", "django"
    files: tuple[Path, ...]
    problems: tuple[str, ...] = ()  # what could not be read, one line each with its location


def find_orm_schema(target: Path) -> OrmSchema | None:
    """The ORM schema under ``target`` (a file or an application folder), or None when there is none."""
    for name in READERS:
        reader = importlib.import_module(f"dbexpert.sources.orm.{name}")
        files = reader.find(target)
        if files:
            schema: OrmSchema = reader.load(files)
            return schema
    return None


def source_files(target: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files with one of ``suffixes`` under ``target`` (or ``target`` itself), outside vendored folders."""
    if target.is_file():
        return [target] if target.suffix in suffixes else []
    if not target.is_dir():
        return []
    return [
        path
        for path in sorted(target.rglob("*"))
        if path.suffix in suffixes and path.is_file() and not SKIPPED_DIRS.intersection(path.parts)
    ]


def innodb_fk_indexes(
    keys: Sequence[ForeignKey], indexes: Sequence[Index], unnamed: str | None = None
) -> list[Index]:
    """InnoDB creates an index for every foreign key no index starts with, named after the constraint
    (https://dev.mysql.com/doc/refman/8.0/en/create-table-foreign-keys.html); a key without a name
    gives its index the name ``unnamed``, or else its columns joined by ``_``."""
    added: list[Index] = []
    for fk in keys:
        wanted = {c.lower() for c in fk.columns}
        if any({c.lower() for c in i.columns[: len(wanted)]} == wanted for i in [*indexes, *added]):
            continue
        added.append(
            Index(
                name=fk.name or unnamed or "_".join(fk.columns),
                keys=tuple(IndexKey(column=c) for c in fk.columns),
                location=fk.location,
                attrs=MappingProxyType({"implicit": "innodb"}),
            )
        )
    return added
