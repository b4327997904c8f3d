"""The query plan drawn as a tree in the text report, and whether a report's findings are ranked.

``dbexpert plan`` puts the tree in ``extra["plan"]["tree"]`` (nested dicts: label, time share,
estimated and actual rows, loops, buffers, the rules that found something on the node, children).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from dbexpert.report.base import ReportData


def plan_facts(data: ReportData) -> Mapping[str, Any] | None:
    plan = data.extra.get("plan")
    return plan if isinstance(plan, Mapping) else None


def is_ranked(data: ReportData) -> bool:
    """Whether the findings come already ordered by the time they account for (plan reports)."""
    plan = plan_facts(data)
    return bool(plan and plan.get("ranked"))


def plan_tree(tree: Mapping[str, Any], measured_by: str = "") -> Tree:
    """A rich Tree of the plan; nodes with findings are marked with the rule names."""
    root = Tree(f"[bold]Plan[/] [dim](share of {escape(measured_by or 'the plan')} per node)[/]")
    _add(root, tree)
    return root


def _add(parent: Tree, node: Mapping[str, Any]) -> None:
    branch = parent.add(Text.from_markup(_line(node), overflow="fold"))  # wrap long lines, never crop
    for child in node.get("children", ()):
        _add(branch, child)


def _line(node: Mapping[str, Any]) -> str:
    parts = [f"[bold]{escape(str(node.get('label')))}[/]"]
    share = node.get("time_share")
    if share is not None:
        parts.append(f"{share:.0%}" if share >= 0.01 or share == 0 else "<1%")
    rules = node.get("findings") or []
    if rules:  # right after the share: the line may wrap, the marker must stay in sight
        parts.append("[bold yellow]<- " + escape(", ".join(rules)) + "[/]")
    if node.get("never_executed"):
        parts.append("never executed")
    else:
        rows = _count(node.get("actual_rows"))
        estimated = _count(node.get("estimated_rows"))
        if rows is not None:
            parts.append(f"rows {rows} (est {estimated}) x{node.get('loops')} loops")
        elif estimated is not None:
            parts.append(f"est rows {estimated}")
    buffers = node.get("buffers") or {}
    if buffers:
        parts.append("buffers " + " ".join(f"{k.replace('_', ' ')}={v:,}" for k, v in buffers.items()))
    return "  ".join(parts)


def _count(value: Any) -> str | None:
    if value is None:
        return None
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
