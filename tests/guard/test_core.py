"""Grouping by shape, N+1 versus duplicate, call sites, modes: the guard without an ORM."""

from __future__ import annotations

import warnings

import pytest

from dbexpert.guard import DuplicateQueryWarning, NPlusOneError, NPlusOneWarning, Recorder, nplusone
from dbexpert.guard._core import call_site, report


def _record(recorder: Recorder, sql: str, params: object) -> None:
    recorder.record(sql, params)  # this line is the call site


def test_one_shape_with_different_parameters_is_n_plus_one_with_the_call_site():
    recorder = Recorder()
    for i in range(6):
        _record(recorder, "SELECT * FROM users WHERE id = %(id)s", {"id": i})
    [repeat] = recorder.repeats(threshold=5)
    assert (repeat.kind, repeat.count) == ("n+1", 6)
    assert repeat.shape.lower() == "select * from users where id = ?"
    assert "test_core.py" in repeat.call_site and "in _record" in repeat.call_site


def test_identical_statements_are_duplicates_not_n_plus_one():
    recorder = Recorder()
    for _ in range(5):
        _record(recorder, "SELECT * FROM settings WHERE key = ?", ("theme",))
    [repeat] = recorder.repeats(threshold=5)
    assert (repeat.kind, repeat.count) == ("duplicate", 5)


def test_below_the_threshold_nothing_is_reported():
    recorder = Recorder()
    for i in range(4):
        _record(recorder, "SELECT * FROM users WHERE id = ?", (i,))
    assert recorder.repeats(threshold=5) == []


def test_report_warns_in_warn_mode_and_raises_in_raise_mode():
    recorder = Recorder()
    for i in range(5):
        _record(recorder, "SELECT * FROM users WHERE id = ?", (i,))
    for _ in range(5):
        _record(recorder, "SELECT 1", ())
    repeats = recorder.repeats(threshold=5)
    with pytest.warns(NPlusOneWarning, match="5 statements of one shape"):
        with pytest.warns(DuplicateQueryWarning):
            report(repeats, "warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DuplicateQueryWarning)
        with pytest.raises(NPlusOneError, match="(?i)select \\* from users where id = \\?"):
            report(repeats, "raise")


def test_call_site_skips_library_frames():
    import sys

    assert "test_core.py" in call_site(sys._getframe())


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        nplusone(mode="loud")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        nplusone(threshold=1)


def test_importing_the_guard_imports_no_orm():
    import subprocess
    import sys

    code = "import sys, dbexpert.guard, dbexpert.guard.pytest_plugin; print('sqlalchemy' in sys.modules, 'django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
