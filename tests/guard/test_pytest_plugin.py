"""The pytest plugin: inert by default, fails N+1 tests under --dbexpert-nplusone."""

from __future__ import annotations

pytest_plugins = ("pytester",)

TESTS = """
import pytest
from sqlalchemy import ForeignKey, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload


class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "parents"
    id: Mapped[int] = mapped_column(primary_key=True)


class Child(Base):
    __tablename__ = "children"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id"))
    parent: Mapped[Parent] = relationship()


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Child(parent=Parent()) for _ in range(8)])
        session.commit()
        session.expunge_all()
        yield session


def test_lazy(session):
    assert len([c.parent.id for c in session.scalars(select(Child))]) == 8


@pytest.mark.dbexpert_nplusone_ok
def test_lazy_allowed(session):
    assert len([c.parent.id for c in session.scalars(select(Child))]) == 8


def test_eager(session):
    children = session.scalars(select(Child).options(selectinload(Child.parent))).all()
    assert len([c.parent.id for c in children]) == 8
"""


def test_without_the_option_the_plugin_does_nothing(pytester):
    pytester.makepyfile(test_app=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_with_the_option_an_n_plus_one_test_fails_with_shape_count_and_line(pytester):
    pytester.makepyfile(test_app=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--dbexpert-nplusone")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*NPlusOneError*8 statements of one shape at *test_app.py:*test_lazy*"])


def test_warn_mode_and_threshold_options(pytester):
    pytester.makepyfile(test_app=TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--dbexpert-nplusone", "--dbexpert-nplusone-mode=warn", "-W", "always"
    )
    result.assert_outcomes(passed=3, warnings=1)
    quiet = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--dbexpert-nplusone", "--dbexpert-nplusone-threshold=9"
    )
    quiet.assert_outcomes(passed=3)
