"""A bounded-memory quantile sketch for durations (the log-bucket scheme of DDSketch).

Values fall into buckets whose bounds grow geometrically by ``gamma = (1 + a) / (1 - a)``; each
bucket reports the value ``2 * gamma**k / (gamma + 1)``, which is within the relative accuracy
``a`` of every value in it. So a p95 estimate is within 1 % of the true p95 (the value of rank
``q * (n - 1)`` among the values added) whatever the distribution, and the sketch holds one counter
per occupied bucket: about 1,300 buckets cover 1 microsecond to one day at 1 %. Two sketches with
the same accuracy merge exactly (bucket counts add), so a log read in chunks by several workers
gives the same percentiles as one pass.

Written here rather than taken from the ``ddsketch`` package: a plain dict of counters is all the
workload report needs, it pickles cheaply between worker processes, and it adds no dependency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DEFAULT_ACCURACY = 0.01
MAX_BUCKETS = 2048  # beyond this the lowest buckets fold together: the tail (p95, p99) stays exact


@dataclass(slots=True)
class QuantileSketch:
    accuracy: float = DEFAULT_ACCURACY
    buckets: dict[int, int] = field(default_factory=dict)
    zeros: int = 0  # values <= 0 (a duration of 0.000 ms): no logarithm, reported as 0
    count: int = 0
    min: float = math.inf
    max: float = -math.inf
    _log_gamma: float = field(init=False, repr=False, default=0.0)

    def __post_init__(self) -> None:
        if not 0 < self.accuracy < 1:
            raise ValueError(f"accuracy must be between 0 and 1, not {self.accuracy}")
        self._log_gamma = math.log((1 + self.accuracy) / (1 - self.accuracy))

    def add(self, value: float, count: int = 1) -> None:
        """Record ``value`` (``count`` times)."""
        if count <= 0:
            return
        self.count += count
        if value < self.min:
            self.min = value
        if value > self.max:
            self.max = value
        if value <= 0:
            self.zeros += count
            return
        key = math.ceil(math.log(value) / self._log_gamma)
        buckets = self.buckets
        buckets[key] = buckets.get(key, 0) + count
        if len(buckets) > MAX_BUCKETS:
            self._fold()

    def merge(self, other: QuantileSketch) -> None:
        """Add ``other``'s values to this sketch (both must have the same accuracy)."""
        if other.accuracy != self.accuracy:
            raise ValueError("cannot merge sketches of different accuracy")
        for key, n in other.buckets.items():
            self.buckets[key] = self.buckets.get(key, 0) + n
        self.zeros += other.zeros
        self.count += other.count
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        if len(self.buckets) > MAX_BUCKETS:
            self._fold()

    def quantile(self, q: float) -> float | None:
        """The estimated value of rank ``q * (count - 1)``; None when the sketch is empty."""
        if self.count == 0:
            return None
        if not 0 <= q <= 1:
            raise ValueError(f"quantile must be between 0 and 1, not {q}")
        rank = q * (self.count - 1)
        if rank < self.zeros:
            return 0.0
        seen = self.zeros
        gamma = math.exp(self._log_gamma)
        for key in sorted(self.buckets):
            seen += self.buckets[key]
            if seen > rank:
                estimate = 2 * gamma**key / (gamma + 1)
                # The extremes are known exactly; never report beyond them.
                return min(max(estimate, self.min), self.max)
        return self.max

    def _fold(self) -> None:
        """Fold the lowest buckets into one so that at most MAX_BUCKETS remain."""
        keys = sorted(self.buckets)
        excess = len(keys) - MAX_BUCKETS + 1
        target = keys[excess]
        moved = sum(self.buckets.pop(key) for key in keys[:excess])
        self.buckets[target] += moved
