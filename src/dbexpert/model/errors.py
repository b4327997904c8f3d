"""Errors users can act on. Each carries the exit code of DESIGN § 8 and prints as one line."""

from __future__ import annotations


class DbexpertError(Exception):
    """Base class: a clear, one-line message; never shown with a traceback."""

    exit_code = 2


class InputError(DbexpertError):
    """Bad usage or bad input (malformed URL, unparsable file, unknown rule): exit 2."""

    exit_code = 2


class ConnectError(DbexpertError):
    """The database cannot be reached or refused us: exit 3."""

    exit_code = 3
