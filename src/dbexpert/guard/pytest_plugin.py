"""pytest plugin: ``--dbexpert-nplusone`` runs every test inside the N+1 guard.

Inert unless the option is given. ``--dbexpert-nplusone-mode=warn`` only warns (the default raises,
failing the test), ``--dbexpert-nplusone-threshold=N`` sets the repeat count (default 5), and
``@pytest.mark.dbexpert_nplusone_ok`` exempts one test.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dbexpert", "dbexpert N+1 guard")
    group.addoption("--dbexpert-nplusone", action="store_true", default=False,
                    help="fail tests that run one query shape repeatedly (N+1)")  # fmt: skip
    group.addoption("--dbexpert-nplusone-threshold", type=int, default=5,
                    help="statements of one shape that make an N+1 (default 5)")  # fmt: skip
    group.addoption("--dbexpert-nplusone-mode", choices=("raise", "warn"), default="raise",
                    help="raise (fail the test) or warn (default raise)")  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dbexpert_nplusone_ok: do not guard this test against N+1 queries")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    config = item.config
    if not config.getoption("--dbexpert-nplusone") or item.get_closest_marker("dbexpert_nplusone_ok"):
        return (yield)
    from dbexpert.guard import nplusone

    threshold = config.getoption("--dbexpert-nplusone-threshold")
    mode = config.getoption("--dbexpert-nplusone-mode")
    with nplusone(threshold=threshold, mode=mode):
        return (yield)
