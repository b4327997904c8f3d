"""Rules over query plans (Target.PLAN_NODE): what EXPLAIN shows is slow, and what to change."""
