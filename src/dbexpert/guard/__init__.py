"""Runtime N+1 guard: record the statements a block of code runs and flag repeated shapes.

``nplusone()`` is a context manager and a decorator; it attaches to SQLAlchemy engines (the
``before_cursor_execute`` event) and Django connections (``connection.execute_wrapper``), groups the
statements by fingerprint and, at the end of the block, warns (:class:`NPlusOneWarning`) or raises
(:class:`NPlusOneError`) when one shape ran ``threshold`` times or more with different parameters,
naming the shape, the count and the application line that issued it. The same statement with the
same parameters repeated is a duplicate (:class:`DuplicateQueryWarning`): a caching matter, not N+1.
Neither SQLAlchemy nor Django is imported here: each is attached only if the application has
imported it already.
"""

from dbexpert.guard._core import (
    DuplicateQueryWarning,
    NPlusOneError,
    NPlusOneWarning,
    Recorder,
    Repeat,
    nplusone,
)

__all__ = ["DuplicateQueryWarning", "NPlusOneError", "NPlusOneWarning", "Recorder", "Repeat", "nplusone"]
