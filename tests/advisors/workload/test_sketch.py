"""The quantile sketch against exact quantiles: within 1 % of the value of rank q * (n - 1)."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.advisors.workload import sketch as sketch_module
from dbexpert.advisors.workload.sketch import MAX_BUCKETS, QuantileSketch

durations = st.floats(min_value=1e-3, max_value=1e7, allow_nan=False, allow_infinity=False)
QUANTILES = (0.0, 0.5, 0.95, 0.99, 1.0)


def exact(values: list[float], q: float) -> float:
    return sorted(values)[math.floor(q * (len(values) - 1))]


def assert_close(estimate: float | None, true: float, accuracy: float = 0.01) -> None:
    assert estimate is not None
    assert abs(estimate - true) <= accuracy * true * (1 + 1e-9), (estimate, true)


@settings(max_examples=200, deadline=None)
@given(st.lists(durations, min_size=1, max_size=400))
def test_quantiles_are_within_one_percent_of_the_exact_ones(values: list[float]) -> None:
    sketch = QuantileSketch()
    for value in values:
        sketch.add(value)
    for q in QUANTILES:
        assert_close(sketch.quantile(q), exact(values, q))
    assert sketch.count == len(values)
    assert sketch.min == min(values) and sketch.max == max(values)


@settings(max_examples=100, deadline=None)
@given(st.lists(durations, min_size=1, max_size=200), st.lists(durations, min_size=1, max_size=200))
def test_merged_sketches_equal_one_sketch_of_all_values(first: list[float], second: list[float]) -> None:
    a, b, whole = QuantileSketch(), QuantileSketch(), QuantileSketch()
    for value in first:
        a.add(value)
        whole.add(value)
    for value in second:
        b.add(value)
        whole.add(value)
    a.merge(b)
    assert a.buckets == whole.buckets and a.count == whole.count
    for q in QUANTILES:
        assert a.quantile(q) == whole.quantile(q)
        assert_close(a.quantile(q), exact(first + second, q))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(durations, st.integers(min_value=1, max_value=50)), min_size=1, max_size=100))
def test_repeated_values_count_as_many(pairs: list[tuple[float, int]]) -> None:
    sketch = QuantileSketch()
    values: list[float] = []
    for value, count in pairs:
        sketch.add(value, count)
        values += [value] * count
    for q in QUANTILES:
        assert_close(sketch.quantile(q), exact(values, q))


def test_zero_durations_are_counted_as_zero() -> None:
    sketch = QuantileSketch()
    for value in [0.0] * 60 + [5.0] * 40:
        sketch.add(value)
    assert sketch.quantile(0.5) == 0.0
    assert_close(sketch.quantile(0.95), 5.0)


def test_a_day_of_range_fits_without_folding() -> None:
    rng = random.Random(7)
    values = [10 ** rng.uniform(-3, 8) for _ in range(20_000)]  # 1 microsecond to a day, in ms
    sketch = QuantileSketch()
    for value in values:
        sketch.add(value)
    assert len(sketch.buckets) <= MAX_BUCKETS
    for q in QUANTILES:
        assert_close(sketch.quantile(q), exact(values, q))


def test_memory_is_bounded_and_the_tail_stays_accurate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sketch_module, "MAX_BUCKETS", 200)  # ~1.7 decades at 1 %
    rng = random.Random(11)
    values = [10 ** rng.uniform(-3, 9) for _ in range(20_000)]
    sketch = QuantileSketch()
    for value in values:
        sketch.add(value)
    assert len(sketch.buckets) <= 200
    assert sketch.count == len(values)
    for q in (0.95, 0.99, 1.0):  # the folded buckets are the lowest: the tail keeps its accuracy
        assert_close(sketch.quantile(q), exact(values, q))


def test_empty_sketch_and_bad_arguments() -> None:
    sketch = QuantileSketch()
    assert sketch.quantile(0.5) is None
    sketch.add(1.0)
    with pytest.raises(ValueError):
        sketch.quantile(1.5)
    with pytest.raises(ValueError):
        QuantileSketch(accuracy=0)
    with pytest.raises(ValueError):
        sketch.merge(QuantileSketch(accuracy=0.02))


def test_counters_are_a_flat_array_spanning_the_occupied_keys() -> None:
    sketch = QuantileSketch()
    for value in (0.05, 3.0, 12_000.0):  # 0.05 ms to 12 s: about 600 keys at 1 %
        sketch.add(value)
    assert len(sketch.buckets) == 3
    assert 550 <= len(sketch._counts) <= 650
    assert sketch._counts.itemsize == 8
    before = len(sketch._counts)
    sketch.add(1.0)  # inside the span: no growth
    assert len(sketch._counts) == before


def test_pickled_sketch_gives_the_same_quantiles() -> None:
    import pickle

    rng = random.Random(3)
    sketch = QuantileSketch()
    for _ in range(1000):
        sketch.add(rng.lognormvariate(0, 2))
    copy = pickle.loads(pickle.dumps(sketch))
    assert copy.buckets == sketch.buckets
    for q in QUANTILES:
        assert copy.quantile(q) == sketch.quantile(q)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(durations, st.just(0.0)), max_size=300),
    st.integers(min_value=1, max_value=50),
    st.sampled_from([30, 200, 2048]),
)
def test_adding_in_batches_equals_adding_one_by_one(values: list[float], batch: int, limit: int) -> None:
    """add_many, a batch at a time, leaves the very sketch add_one leaves (folds included)."""
    saved = sketch_module.MAX_BUCKETS
    sketch_module.MAX_BUCKETS = limit
    try:
        one, many = QuantileSketch(), QuantileSketch()
        for value in values:
            one.add_one(value)
        for start in range(0, len(values), batch):
            many.add_many(values[start : start + batch])
    finally:
        sketch_module.MAX_BUCKETS = saved
    assert (many.buckets, many.count, many.zeros, many.min, many.max) == (
        one.buckets,
        one.count,
        one.zeros,
        one.min,
        one.max,
    )
    assert many._low == one._low and list(many._counts) == list(one._counts)
