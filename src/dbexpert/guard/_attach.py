"""Attaching a recorder to SQLAlchemy and Django: both imported here lazily, inside the functions."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

Record = Callable[[str, Any], None]


def attach(stack: contextlib.ExitStack, on: Any, record: Record) -> None:
    targets = on if isinstance(on, list | tuple) else [on] if on is not None else []
    if not targets:
        if "sqlalchemy" in sys.modules:
            _sqlalchemy(stack, None, record)
        if "django.db" in sys.modules:
            _django_all(stack, record)
        return
    for target in targets:
        module = type(target).__module__
        if module.startswith("sqlalchemy"):
            _sqlalchemy(stack, target, record)
        elif module.startswith("django"):
            _django(stack, target, record)
        else:
            raise TypeError(f"cannot watch {type(target).__name__}: pass a SQLAlchemy engine/session or a Django connection")


def _sqlalchemy(stack: contextlib.ExitStack, target: Any, record: Record) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

    if target is None:
        target = Engine  # every engine: the event is listened to on the class
    elif isinstance(target, Session):
        bind = target.get_bind()
        target = bind.engine if isinstance(bind, Connection) else bind
    elif hasattr(target, "sync_engine"):  # AsyncEngine / AsyncConnection
        target = target.sync_engine

    def before_cursor_execute(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:  # fmt: skip
        record(statement, parameters)

    event.listen(target, "before_cursor_execute", before_cursor_execute)
    stack.callback(event.remove, target, "before_cursor_execute", before_cursor_execute)


def _django_all(stack: contextlib.ExitStack, record: Record) -> None:
    from django.conf import settings

    if not settings.configured:
        return
    from django.db import connections

    for connection in connections.all():
        _django(stack, connection, record)


def _django(stack: contextlib.ExitStack, connection: Any, record: Record) -> None:
    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        record(sql, params)
        return execute(sql, params, many, context)

    stack.enter_context(connection.execute_wrapper(wrapper))
