"""Workload analysis: statements grouped by shape with their time, calls and percentiles, and the
other events a server log tells, aggregated as they stream (memory grows with shapes, not events)."""
