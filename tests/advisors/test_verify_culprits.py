"""Which indexes of a set a slower query blames, with a scripted scratch copy.

The engines' own checkers are exercised against real servers (tests/integration/postgres/
test_index_verify.py, tests/integration/mysql/test_index_verify.py); here a scripted checker stands
in for the server so that the search itself — several suspects, a plan that changes when one is
hidden, a query too slow without any of them, a server that cannot hide — is checked case by case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import pytest

from dbexpert.advisors.index.verify import Checker, _culprits, _round
from dbexpert.model import InputError
from dbexpert.model.timing import Measured

# a query's time and plan as a function of the indexes the planner can see
Plan = Callable[[frozenset[str]], Measured]


class Scripted:
    """Times each query by its script, for the indexes built and not hidden; logs what it was asked."""

    def __init__(self, plans: dict[str, Plan], can_hide: bool = True, fail_build: bool = False) -> None:
        self.plans = plans
        self.can_hide = can_hide
        self.fail_build = fail_build
        self.built: list[str] = []
        self.hiding: list[str] = []
        self.log: list[str] = []

    def build(self, indexes: Sequence[tuple[str, str]]) -> None:
        self.built = [name for name, _ in indexes]
        if self.fail_build:
            raise InputError("--verify scratch: Key column 'nosuch' doesn't exist")

    def drop(self) -> None:
        self.log.append("drop")
        self.built = []

    def measure(self, text: str, runs: int) -> Measured:
        visible = frozenset(self.built) - set(self.hiding)
        self.log.append(f"{text} without {','.join(sorted(self.hiding))}" if self.hiding else text)
        return self.plans[text](visible)

    @contextmanager
    def hidden(self, names: Sequence[str]) -> Iterator[bool]:
        if not self.can_hide:
            yield False
            return
        self.hiding = list(names)
        try:
            yield True
        finally:
            self.hiding = []

    def close(self) -> None:
        pass


def _slow_with(bad: str, fast_ms: float = 5.0) -> Plan:
    """A plan that uses every visible index and takes 100 ms while ``bad`` is among them."""
    return lambda visible: Measured(100.0 if bad in visible else fast_ms, visible)


BEFORE = Measured(10.0, frozenset())


def test_only_the_index_whose_absence_makes_the_query_fast_is_blamed() -> None:
    checker: Checker = Scripted({"q": _slow_with("b")})
    checker.build([("a", ""), ("b", ""), ("c", "")])
    after = checker.measure("q", 5)
    assert _culprits(checker, "q", BEFORE, after, frozenset("abc"), 1.3, 5) == ("b",)


def test_the_search_goes_on_among_the_indexes_the_new_plan_uses() -> None:
    # b and c both make the query slow; hiding either alone leaves the other in the plan
    def plan(visible: frozenset[str]) -> Measured:
        slow = {"b", "c"} & visible
        return Measured(10.0 + 50.0 * len(slow) - (1.0 if "c" in slow else 0.0), visible)

    checker = Scripted({"q": plan})
    checker.build([("a", ""), ("b", ""), ("c", "")])
    after = checker.measure("q", 5)
    assert _culprits(checker, "q", BEFORE, after, frozenset("abc"), 1.3, 5) == ("b", "c")
    # the second step only tried the indexes the plan still used, with b kept hidden
    assert checker.log[-2:] == ["q without a,b", "q without b,c"]


def test_the_culprit_stays_blamed_when_noise_leaves_the_query_a_little_slow_without_it() -> None:
    # 10 ms before; 100 ms with b; 14 ms without it (noise of a busy machine: still above 13)
    checker = Scripted({"q": _slow_with("b", fast_ms=14.0)})
    checker.build([("a", ""), ("b", "")])
    assert _culprits(checker, "q", BEFORE, checker.measure("q", 5), frozenset("ab"), 1.3, 5) == ("b",)


def test_a_query_too_slow_with_none_of_the_set_blames_nothing() -> None:
    checker = Scripted({"q": lambda visible: Measured(100.0, visible)})
    checker.build([("a", "")])
    assert _culprits(checker, "q", BEFORE, checker.measure("q", 5), frozenset("a"), 1.3, 5) == ()


def test_a_server_that_cannot_hide_blames_every_suspect() -> None:
    checker = Scripted({"q": _slow_with("b")}, can_hide=False)
    checker.build([("a", ""), ("b", "")])
    assert _culprits(checker, "q", BEFORE, checker.measure("q", 5), frozenset("ab"), 1.3, 5) == ("a", "b")


def test_a_round_keeps_the_useful_index_and_reports_the_unexplained_query() -> None:
    plans = {
        "q1": _slow_with("bad"),  # 10 ms before, 100 with "bad"
        "q2": lambda visible: Measured(1.0 if "good" in visible else 50.0, visible & {"good"}),
        "q3": lambda visible: Measured(80.0, frozenset()),  # slower, but uses no index of the set
    }
    checker = Scripted(plans)
    before = {"q1": BEFORE, "q2": Measured(50.0, frozenset()), "q3": Measured(10.0, frozenset())}
    queries = [("q1", "q1"), ("q2", "q2"), ("q3", "q3")]
    result = _round(checker, [("good", ""), ("bad", "")], queries, before, 1.3, 5)
    assert result.slower == {"bad": "q1"} and result.unexplained == ("q3",)
    assert result.unused == frozenset()
    assert checker.log[-1] == "drop" and checker.built == []


def test_a_timed_out_run_is_too_slow_and_left_out_of_the_total() -> None:
    timeout = Measured(1000.0, frozenset({"bad"}), timed_out=True)
    checker = Scripted({"q1": lambda visible: timeout if "bad" in visible else Measured(5.0, visible)})
    result = _round(checker, [("bad", "")], [("q1", "q1")], {"q1": BEFORE}, 1.3, 5)
    assert result.slower == {"bad": "q1"}
    (timing,) = result.timings
    assert timing.after_timed_out and not timing.settled and result.total_ratio == 1.0


def test_a_failed_build_still_drops() -> None:
    checker = Scripted({}, fail_build=True)
    with pytest.raises(InputError, match="nosuch"):
        _round(checker, [("a", "")], [], {}, 1.3, 5)
    assert checker.log == ["drop"]
