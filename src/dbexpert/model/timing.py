"""A query's measured execution on a scratch copy: what the executed checks compare."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Measured:
    median_ms: float  # the median of the runs; the timeout when ``timed_out`` (a lower bound)
    indexes: frozenset[str]  # index names the executed plans used
    timed_out: bool = False
