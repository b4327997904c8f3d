"""Saved query plans -> :class:`dbexpert.model.plan.Plan`."""

from dbexpert.sources.plans.postgres import parse_plan

__all__ = ["parse_plan"]
