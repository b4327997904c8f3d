"""The guard on real Django: SQLite in memory and PostgreSQL, select_related/prefetch_related or not.

Evidence: at 10 and 50 novels, the lazy loop issues 11 and 51 statements; select_related issues 1
and 1, prefetch_related 2 and 2.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

django = pytest.importorskip("django")

from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=["tests.guard.djangoapp"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
    )
    django.setup()

from django.db import connections  # noqa: E402

from dbexpert.guard import NPlusOneError, nplusone  # noqa: E402
from tests.guard.djangoapp.models import Novel, Writer  # noqa: E402


@pytest.fixture(params=["default", "pg"])
def alias(request) -> Iterator[str]:
    if request.param == "pg":
        from urllib.parse import urlsplit

        parts = urlsplit(request.getfixturevalue("pg_url"))
        config = {"ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
                  "USER": parts.username or "postgres", "PASSWORD": parts.password or "",
                  "HOST": parts.hostname or "127.0.0.1", "PORT": str(parts.port or 5432)}  # fmt: skip
        connections.settings["pg"] = connections.configure_settings(
            {"default": {**connections.settings["default"]}, "pg": config}
        )["pg"]
    connection = connections[request.param]
    with connection.schema_editor() as editor:
        editor.create_model(Writer)
        editor.create_model(Novel)
    yield request.param
    with connection.schema_editor() as editor:
        editor.delete_model(Novel)
        editor.delete_model(Writer)
    if request.param == "pg":
        connection.close()
        del connections["pg"]
        del connections.settings["pg"]


def _fill(alias: str, rows: int) -> None:
    Novel.objects.using(alias).all().delete()
    Writer.objects.using(alias).all().delete()
    writers = Writer.objects.using(alias).bulk_create([Writer(name=f"writer {i}") for i in range(rows)])
    Novel.objects.using(alias).bulk_create(
        [Novel(title=f"novel {i}", writer=w) for i, w in enumerate(writers)]
    )


def lazy(alias: str) -> list[str]:
    return [f"{n.title} by {n.writer.name}" for n in Novel.objects.using(alias).all()]


def joined(alias: str) -> list[str]:
    return [f"{n.title} by {n.writer.name}" for n in Novel.objects.using(alias).select_related("writer")]


def prefetched(alias: str) -> list[str]:
    writers = Writer.objects.using(alias).prefetch_related("novels")
    return [f"{w.name}: {len(w.novels.all())}" for w in writers]


def _counts(alias: str, code) -> list[tuple[int, list[str]]]:
    counts = []
    for rows in (10, 50):
        _fill(alias, rows)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with nplusone(on=connections[alias]) as guard:
                code(alias)
        counts.append(
            (
                guard.count,
                [w.category.__name__ for w in caught if w.category.__module__.startswith("dbexpert")],
            )
        )
    return counts


def test_lazy_loop_is_n_plus_one_and_eager_loops_are_silent(alias: str):
    assert _counts(alias, lazy) == [(11, ["NPlusOneWarning"]), (51, ["NPlusOneWarning"])]
    assert _counts(alias, joined) == [(1, []), (1, [])]
    assert _counts(alias, prefetched) == [(2, []), (2, [])]


def test_default_guard_watches_every_connection_and_raises_with_the_call_site(alias: str):
    _fill(alias, 10)
    with pytest.raises(NPlusOneError) as raised:
        with nplusone(mode="raise"):
            lazy(alias)
    [repeat] = raised.value.repeats
    assert repeat.count == 10 and "djangoapp_writer" in repeat.shape
    assert "test_guard_django.py" in repeat.call_site and "lazy" in repeat.call_site
