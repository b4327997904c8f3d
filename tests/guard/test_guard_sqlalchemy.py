"""The guard on real SQLAlchemy: SQLite and PostgreSQL, lazy loads versus eager loads.

Evidence: at 10 and 50 authors' books, the lazy loop issues 11 and 51 statements, the
selectinload version 2 and 2.
"""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import ForeignKey, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload

from dbexpert.guard import NPlusOneError, NPlusOneWarning, nplusone


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "guard_authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Book(Base):
    __tablename__ = "guard_books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("guard_authors.id"))
    author: Mapped[Author] = relationship()


def _session(url: str, rows: int) -> Session:
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    session = Session(engine)
    authors = [Author(name=f"author {i}") for i in range(rows)]
    session.add_all([Book(title=f"book {i}", author=author) for i, author in enumerate(authors)])
    session.commit()
    session.expunge_all()  # start with an empty identity map, as a new request would
    return session


def lazy_titles(session: Session) -> list[str]:
    return [f"{book.title} by {book.author.name}" for book in session.scalars(select(Book)).all()]


def eager_titles(session: Session) -> list[str]:
    books = session.scalars(select(Book).options(selectinload(Book.author))).all()
    return [f"{book.title} by {book.author.name}" for book in books]


def _counts(url: str, code) -> list[tuple[int, list[str]]]:
    counts = []
    for rows in (10, 50):
        session = _session(url, rows)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with nplusone(on=session) as guard:
                code(session)
        # Only the guard's own warnings count: a driver may warn about unrelated things (resources).
        counts.append(
            (
                guard.count,
                [w.category.__name__ for w in caught if w.category.__module__.startswith("dbexpert")],
            )
        )
        engine = session.get_bind()
        session.close()
        Base.metadata.drop_all(engine)
        engine.dispose()  # close the pool now rather than at garbage collection, inside the next block
    return counts


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'guard.db'}"
    pg = request.getfixturevalue("pg_url")
    return pg.replace("postgresql://", "postgresql+psycopg://", 1)


def test_lazy_loop_is_n_plus_one_and_eager_loop_is_silent(url: str):
    assert _counts(url, lazy_titles) == [(11, ["NPlusOneWarning"]), (51, ["NPlusOneWarning"])]
    assert _counts(url, eager_titles) == [(2, []), (2, [])]


def test_raise_mode_names_the_shape_count_and_application_line(url: str):
    session = _session(url, 10)
    with pytest.raises(NPlusOneError) as raised:
        with nplusone(mode="raise"):
            lazy_titles(session)
    [repeat] = raised.value.repeats
    assert repeat.count == 10 and "guard_authors" in repeat.shape
    assert "test_guard_sqlalchemy.py" in repeat.call_site and "lazy_titles" in repeat.call_site
    session.close()


def test_decorator_guards_each_call():
    session = _session("sqlite://", 6)

    @nplusone(threshold=5)
    def render() -> list[str]:
        return lazy_titles(session)

    with pytest.warns(NPlusOneWarning):
        render()
    session.expunge_all()
    with pytest.warns(NPlusOneWarning):
        render()  # a fresh recorder per call: still 6 author loads, not 12
    session.close()


def test_watching_one_engine_ignores_another():
    watched, other = _session("sqlite://", 6), _session("sqlite://", 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NPlusOneWarning)
        with nplusone(on=watched.get_bind()) as guard:
            lazy_titles(other)
    assert guard.count == 0
