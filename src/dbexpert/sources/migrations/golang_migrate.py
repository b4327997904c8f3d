"""golang-migrate: ``<version>_<title>.up.sql`` and ``<version>_<title>.down.sql`` in one folder.

Order: by version, the leading unsigned integer (sequence numbers and timestamps alike), as
``source.Parse`` reads it (https://github.com/golang-migrate/migrate/blob/master/MIGRATIONS.md).

Transactions: the PostgreSQL driver sends the whole file as one multi-statement ``Exec``
(https://github.com/golang-migrate/migrate/tree/master/database/postgres). PostgreSQL runs such a
simple-query batch as one implicit transaction, so a file of several statements is atomic and
CREATE INDEX CONCURRENTLY fails in it; a file holding a single statement runs on its own. With
``x-multi-statement=true`` in the database URL the driver instead splits the file at semicolons
and runs each statement separately (each one commits): lint such projects with
``transaction="never"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from dbexpert.model import InputError
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.migrations._files import Skipped, read_text, scan_statements

TOOL = "golang-migrate"

_NAME = re.compile(r"^(\d+)_(.*)\.(up|down)\.sql$")


def is_golang_name(name: str) -> bool:
    return _NAME.match(name) is not None


def read(files: Sequence[Path]) -> tuple[list[Migration], list[Skipped]]:
    skipped: list[Skipped] = []
    ups: dict[int, tuple[Path, str]] = {}
    downs: dict[int, Path] = {}
    for file in files:
        match = _NAME.match(file.name)
        if match is None:
            skipped.append(
                (str(file), "not a golang-migrate name (<version>_<title>.up.sql): migrate ignores it")
            )
            continue
        version, title, direction = int(match.group(1)), match.group(2), match.group(3)
        if version in (ups if direction == "up" else downs):
            raise InputError(
                f"{file}: golang-migrate found a duplicate {direction} migration for version {version}"
            )
        if direction == "up":
            ups[version] = (file, f"{match.group(1)}_{title}")
        else:
            downs[version] = file
    for version, file in sorted(downs.items()):
        if version not in ups:
            skipped.append((str(file), f"down migration without an up migration for version {version}"))
    migrations = []
    for version in sorted(ups):
        file, identity = ups[version]
        text = read_text(file)
        down = downs.get(version)
        single = len(scan_statements(text)) <= 1
        migrations.append(
            Migration(
                id=identity,
                tool=TOOL,
                up=MigrationScript(str(file), text),
                down=MigrationScript(str(down), read_text(down)) if down else None,
                # One Exec of several statements is one implicit transaction on PostgreSQL.
                transactional=not single,
                description=identity.partition("_")[2].replace("_", " "),
            )
        )
    return migrations, skipped
