"""backup-postgres-wal-archiving-off: wal_level minimal, archive_mode off, or a no-op archive_command."""

from __future__ import annotations

from tests.rules.ops.helpers import postgres_findings

RULE = "backup-postgres-wal-archiving-off"
findings = postgres_findings(RULE)
ON = {"wal_level": "replica", "archive_mode": "on", "archive_library": "", "archive_timeout": "60"}


def test_archive_mode_off_is_one_reason_not_two():
    (found,) = findings({"settings": {**ON, "archive_mode": "off", "archive_command": "(disabled)"}})
    assert "archive_mode = off" in found.message and "archive_command" not in found.message
    assert "ALTER SYSTEM SET archive_mode = 'on';" in (found.fix.sql or "")


def test_no_op_commands_and_minimal_wal_are_reported():
    for command in ("/bin/true", "", "exit 0"):
        (found,) = findings({"settings": {**ON, "archive_command": command}})
        assert found.location.object == "archive_command"
    (found,) = findings({"settings": {**ON, "wal_level": "minimal", "archive_command": "wal-g wal-push %p"}})
    assert found.location.object == "wal_level"


def test_real_command_or_library_or_unread_settings_are_clean():
    assert not findings({"settings": {**ON, "archive_command": "pgbackrest --stanza=main archive-push %p"}})
    assert not findings({"settings": {**ON, "archive_command": "", "archive_library": "basic_archive"}})
    assert not findings(
        {"settings": {"wal_level": "replica"}}
    )  # the audit snapshot has no archiving settings
