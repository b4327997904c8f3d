"""Flyway SQL migrations: ``V<version>__<description>.sql`` and their companions.

Order (https://documentation.red-gate.com/fd/migrations-184127470.html): versioned migrations by
version, compared numerically part by part (``1.1 < 1.10 < 2``; ``_`` separates parts like ``.``),
then repeatable ``R__`` migrations by description. ``U<version>__`` is the undo of the versioned
migration with the same version. ``B<version>__`` is a baseline: on an empty database Flyway
applies the newest baseline instead of every versioned migration up to its version, so that is
the sequence reported here (the superseded versioned files are listed as skipped).

Transactions (https://documentation.red-gate.com/fd/migration-transaction-handling-273973399.html):
each migration runs in its own transaction, unless Flyway's PostgreSQL parser finds a statement
that cannot run in one (``PostgreSQLParser.detectCanExecuteInTransaction``: CREATE/DROP DATABASE,
TABLESPACE or SUBSCRIPTION; ALTER SYSTEM; CREATE/DROP [UNIQUE] INDEX CONCURRENTLY; REINDEX
SCHEMA/DATABASE/SYSTEM; VACUUM; DISCARD ALL; ALTER TYPE ... ADD VALUE before PostgreSQL 12): then
the whole script runs without a transaction. A script mixing both kinds is refused unless
``mixed=true``. REINDEX INDEX/TABLE CONCURRENTLY is not on that list: Flyway runs it inside the
transaction, where PostgreSQL rejects it. A script configuration file ``V1__x.sql.conf`` (or a
``-- flyway:executeInTransaction=false`` line heading the script, in recent releases) with
``executeInTransaction=false`` turns the transaction off
(https://documentation.red-gate.com/fd/flyway-execute-in-transaction-setting-277578997.html).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dbexpert.model import InputError
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.migrations._files import Skipped, read_text, scan_statements

TOOL = "flyway"

_VERSION = re.compile(r"\d+(?:[._]\d+)*")

# (pattern, only before this PostgreSQL major version)
_NON_TRANSACTIONAL: tuple[tuple[re.Pattern[str], int | None], ...] = (
    (re.compile(r"^(CREATE|DROP) (DATABASE|TABLESPACE|SUBSCRIPTION)\b"), None),
    (re.compile(r"^ALTER SYSTEM\b"), None),
    (re.compile(r"^(CREATE|DROP)( UNIQUE)? INDEX CONCURRENTLY\b"), None),
    (re.compile(r"^REINDEX( VERBOSE)? (SCHEMA|DATABASE|SYSTEM)\b"), None),
    (re.compile(r"^VACUUM\b"), None),
    (re.compile(r"^DISCARD ALL\b"), None),
    (re.compile(r"^ALTER TYPE( .*)? ADD VALUE\b"), 12),
)
_SCRIPT_HEADER = re.compile(r"^\s*--\s*flyway:(\w+)\s*=\s*(\S+)\s*$")


@dataclass(frozen=True, slots=True)
class FlywayName:
    prefix: str  # "V", "U", "B" or "R"
    version: tuple[int, ...]  # () for repeatables
    version_text: str
    description: str


def parse_name(name: str) -> FlywayName | None:
    """The parts of a Flyway SQL migration file name; None when Flyway would not pick it up."""
    if not name.endswith(".sql") or "__" not in name:
        return None
    head, _, rest = name[: -len(".sql")].partition("__")
    description = rest.replace("_", " ").strip()
    if head == "R":
        return FlywayName("R", (), "", description)
    prefix, version_text = head[:1], head[1:]
    if prefix not in ("V", "U", "B") or not _VERSION.fullmatch(version_text):
        return None
    parts = [int(part) for part in re.split(r"[._]", version_text)]
    while len(parts) > 1 and parts[-1] == 0:  # Flyway: 1.0 is version 1
        parts.pop()
    return FlywayName(prefix, tuple(parts), version_text.replace("_", "."), description)


def is_flyway_name(name: str) -> bool:
    return parse_name(name) is not None


def read(files: Sequence[Path], pg_version: int | None = None) -> tuple[list[Migration], list[Skipped]]:
    """Flyway migrations among ``files`` (the scanned locations), in the order Flyway applies them."""
    skipped: list[Skipped] = []
    versioned: dict[tuple[int, ...], tuple[Path, FlywayName]] = {}
    undos: dict[tuple[int, ...], tuple[Path, FlywayName]] = {}
    baselines: dict[tuple[int, ...], tuple[Path, FlywayName]] = {}
    repeatables: list[tuple[Path, FlywayName]] = []
    for file in files:
        parsed = parse_name(file.name)
        if parsed is None:
            skipped.append(
                (str(file), "not a Flyway migration name (V<version>__<description>.sql): Flyway ignores it")
            )
            continue
        if parsed.prefix == "R":
            repeatables.append((file, parsed))
            continue
        table = {"V": versioned, "U": undos, "B": baselines}[parsed.prefix]
        if parsed.version in table:
            other = table[parsed.version][0]
            raise InputError(
                f"{file}: Flyway found more than one migration with version {parsed.version_text} (also {other})"
            )
        table[parsed.version] = (file, parsed)

    for version, (file, parsed) in undos.items():
        if version not in versioned:
            skipped.append((str(file), f"undo without a versioned migration V{parsed.version_text}"))

    migrations: list[Migration] = []
    floor: tuple[int, ...] | None = None
    if baselines:
        floor = max(baselines)
        file, parsed = baselines[floor]
        migrations.append(_migration(file, parsed, None, pg_version))
        for version in sorted(v for v in baselines if v != floor):
            skipped.append((str(baselines[version][0]), f"baseline superseded by B{parsed.version_text}"))
    for version in sorted(versioned):
        file, parsed = versioned[version]
        if floor is not None and version <= floor:
            skipped.append(
                (
                    str(file),
                    f"on a new database Flyway applies baseline B{baselines[floor][1].version_text} instead",
                )
            )
            continue
        undo = undos.get(version)
        migrations.append(_migration(file, parsed, undo[0] if undo else None, pg_version))
    for file, parsed in sorted(repeatables, key=lambda item: (item[1].description, str(item[0]))):
        migrations.append(_migration(file, parsed, None, pg_version))
    return migrations, skipped


def _migration(file: Path, parsed: FlywayName, undo: Path | None, pg_version: int | None) -> Migration:
    text = read_text(file)
    transactional, notes = _transaction(file, text, pg_version)
    description = "; ".join([parsed.description, *notes]) if notes else parsed.description
    return Migration(
        id=file.name[: -len(".sql")],
        tool=TOOL,
        up=MigrationScript(str(file), text),
        down=MigrationScript(str(undo), read_text(undo)) if undo else None,
        transactional=transactional,
        description=description,
    )


def _transaction(file: Path, text: str, pg_version: int | None) -> tuple[bool, list[str]]:
    config = _script_config(file, text)
    setting = config.get("executeInTransaction", "").strip().lower()
    if setting == "false":
        return False, ["executeInTransaction=false"]
    statements = scan_statements(text)
    blocking = [s for s in statements if _cannot_run_in_transaction(s.simplified, pg_version)]
    if setting == "true" or not blocking:
        return True, []
    first = blocking[0]
    words = " ".join(first.simplified.split()[:4])
    notes = [f"runs without a transaction: line {first.line} ({words} ...) cannot run in one"]
    if len(blocking) < len(statements):
        notes.append(
            "mixes transactional and non-transactional statements: Flyway refuses it unless mixed=true"
        )
    return False, notes


def _cannot_run_in_transaction(simplified: str, pg_version: int | None) -> bool:
    for pattern, before in _NON_TRANSACTIONAL:
        if before is not None and (pg_version is None or pg_version >= before):
            continue
        if pattern.match(simplified):
            return True
    return False


def _script_config(file: Path, text: str) -> dict[str, str]:
    """``key=value`` settings from ``<script>.conf`` and from ``-- flyway:key=value`` header lines."""
    config: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _SCRIPT_HEADER.match(line)
        if not match:
            break
        config[match.group(1)] = match.group(2)
    conf = file.with_name(file.name + ".conf")
    if conf.is_file():
        for line in read_text(conf).splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.strip().startswith("#"):
                config[key.strip()] = value.strip()
    return config
