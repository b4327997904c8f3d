"""The executed check's rounds: what one round leaves out is measured again without it."""

from __future__ import annotations

from collections.abc import Sequence

from dbexpert.advisors.index.verify import QueryTiming, VerifyResult, until_stable


def _result(unused: set[str], slower: dict[str, str], used: set[str]) -> VerifyResult:
    timing = QueryTiming("q1", 10.0, 20.0 if slower else 5.0, frozenset(used))
    return VerifyResult((timing,), frozenset(unused), slower)


def test_a_second_round_catches_the_plan_that_changed_without_the_first_rounds_index() -> None:
    seen: list[list[str]] = []

    def measure(names: Sequence[str]) -> VerifyResult:
        seen.append(list(names))
        if "a" in names:  # round 1: a is used by no plan
            return _result({"a"}, {}, {"b", "c"})
        if "b" in names:  # round 2: without a, the planner takes b, and q1 runs slower
            return _result(set(), {"b": "q1"}, {"b"})
        return _result(set(), {}, {"c"})  # round 3: c alone, faster

    result, left_out, rounds = until_stable(measure, ["a", "b", "c"])
    assert seen == [["a", "b", "c"], ["b", "c"], ["c"]] and rounds == 3
    assert left_out == {"a": "no executed plan used it", "b": "it made q1 more than 30 % slower"}
    assert result.timings[0].after_ms == 5.0  # the final set's timings


def test_one_round_when_nothing_is_left_out() -> None:
    result, left_out, rounds = until_stable(lambda names: _result(set(), {}, set(names)), ["a", "b"])
    assert rounds == 1 and left_out == {} and not result.unused
