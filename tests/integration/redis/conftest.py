"""Private redis-server processes for the Redis tests (never the shared server at 6379): each test
module starts the servers it plants faults on, on free ports, and they are removed afterwards."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import redis

from dbexpert.engines.redis.server import PrivateServer, private_server
from tests.conftest import _unavailable

Start = Callable[..., PrivateServer]


@pytest.fixture(scope="module")
def start_redis() -> Iterator[Start]:
    """``start_redis(config)`` -> a private server, stopped at the end of the module."""
    if shutil.which("redis-server") is None:
        _unavailable("redis-server", FileNotFoundError("not on PATH"))
    with contextlib.ExitStack() as stack:

        def start(config: Mapping[str, str] | None = None, **files: Any) -> PrivateServer:
            return stack.enter_context(private_server(files or None, config))

        yield start


def client(server: PrivateServer, db: int = 0) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=server.port, db=db)


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)
