"""Helpers the backup rules share: is WAL archiving really on, and what archives it.
Not a rule (no ``RULE``)."""

from __future__ import annotations

from dbexpert.model.health import HealthSnapshot

# archive_command values that succeed without copying anything: the usual placeholders.
NO_OP_COMMANDS = frozenset({"", "(disabled)", "true", "/bin/true", "/usr/bin/true", ":", "exit 0", "cd ."})
# Tools recognised in archive_command or archive_library, by the word that names them.
BACKUP_TOOLS = ("pgbackrest", "wal-g", "barman", "pg_probackup", "wal-e", "pgbarman")


def archive_command(snapshot: HealthSnapshot) -> str:
    return (snapshot.setting("archive_command") or "").strip()


def archive_library(snapshot: HealthSnapshot) -> str:
    return (snapshot.setting("archive_library") or "").strip()


def archiving_problems(snapshot: HealthSnapshot) -> list[str]:
    """Why WAL is not continuously archived, one reason per setting; empty when it is."""
    problems = []
    if (snapshot.setting("wal_level") or "").lower() == "minimal":
        problems.append("wal_level = minimal (WAL cannot be replayed from a base backup)")
    mode = (snapshot.setting("archive_mode") or "").lower()
    if mode == "off":
        problems.append("archive_mode = off")
    # With archive_mode off, SHOW prints the command as "(disabled)": that is the same problem.
    if (
        mode != "off"
        and not archive_library(snapshot)
        and archive_command(snapshot).lower() in NO_OP_COMMANDS
    ):
        shown = archive_command(snapshot) or "empty"
        problems.append(f"archive_command is {shown!r} and no archive_library: nothing is copied")
    return problems


def backup_tool(snapshot: HealthSnapshot) -> str | None:
    """The backup tool named by archive_command or archive_library, if any."""
    text = f"{archive_command(snapshot)} {archive_library(snapshot)}".lower()
    return next((tool for tool in BACKUP_TOOLS if tool in text), None)
