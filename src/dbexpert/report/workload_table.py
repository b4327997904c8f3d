"""The workload report's tables: top queries, breakdowns, time histogram, log events.

``dbexpert workload analyze`` puts them in ``extra["queries"]`` (one dict per query shape: calls,
total/mean/min/max and percentile times in ms, rows, example and its location, checks, explain) and
``extra["workload"]`` (sources, databases/users/applications, histogram, log_events, logs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dbexpert.report.base import ReportData

_SHAPE_WIDTH = 120  # characters of a query shown in a table; the JSON report has it whole
_BAR_WIDTH = 40
_TOP_NAMES = 10
_SORT_LABELS = {
    "total": "total time",
    "mean": "mean time",
    "calls": "calls",
    "p95": "p95 time",
    "rows": "rows",
}


def workload_facts(data: ReportData) -> tuple[list[Mapping[str, Any]], Mapping[str, Any]] | None:
    queries, workload = data.extra.get("queries"), data.extra.get("workload")
    if not isinstance(queries, list) or not isinstance(workload, Mapping):
        return None
    return queries, workload


def print_workload(console: Console, data: ReportData) -> None:
    facts = workload_facts(data)
    if facts is None:
        return
    queries, workload = facts
    summary = data.summary
    console.print(
        f"\n{summary.get('calls', 0):,} calls of {summary.get('shapes', 0):,} query shapes, "
        f"{_ms(summary.get('total_ms'))} ms in all"
        + (f", {summary['first_seen']} to {summary['last_seen']}" if summary.get("first_seen") else "")
    )
    if queries:
        by = _SORT_LABELS.get(str(summary.get("sorted_by")), "total time")
        console.print(f"\n[bold]Top queries by {by}[/]")
        console.print(_queries_table(queries, float(summary.get("total_ms") or 0.0)), soft_wrap=False)
        for number, query in enumerate(queries, start=1):
            _print_links(console, number, query)
    for name in ("databases", "users", "applications"):
        rows = workload.get(name) or []
        if _informative(rows):
            console.print(f"\n[bold]By {name[:-1] if name != 'applications' else 'application'}[/]")
            console.print(_names_table(rows[:_TOP_NAMES]), soft_wrap=False)
    histogram = workload.get("histogram") or []
    if histogram:
        console.print(f"\n[bold]Over time[/] [dim](buckets of {_duration(histogram[0]['seconds'])})[/]")
        for line in histogram_lines(histogram):
            console.print(escape(line))
    counts = workload.get("log_events") or {}
    if counts:
        console.print("\n[bold]Log events[/]  " + escape(", ".join(f"{k} {v:,}" for k, v in counts.items())))
        for group in workload.get("logs") or []:
            amount = f"  [{_amount(group)}]" if group.get("amount") is not None else ""
            where = group.get("location") or {}
            console.print(
                f"  {group['count']:>7,}  {escape(group['kind'])}: {escape(_short(group['message'], 90))}"
                f"{escape(amount)}  [dim]{escape(str(where.get('path')))}:{where.get('line')}[/]"
            )


def workload_markdown(data: ReportData) -> list[str]:
    facts = workload_facts(data)
    if facts is None:
        return []
    queries, workload = facts
    total = float(data.summary.get("total_ms") or 0.0)
    lines = ["", "## Top queries", ""]
    lines += [
        "| # | Total ms | Share | Calls | Mean ms | p50 | p95 | p99 | Rows | Query | Checks |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for number, q in enumerate(queries, start=1):
        checks = ", ".join(f"`{f['rule']}`" for f in _check_findings(q)) or ""
        cells = [*_figures(number, q, total), f"`{_code(_short(q['shape'], _SHAPE_WIDTH))}`", checks]
        lines.append("| " + " | ".join(cells) + " |")
    for name in ("databases", "users", "applications"):
        rows = workload.get(name) or []
        if _informative(rows):
            lines += ["", f"## {name.capitalize()}", "", "| Name | Calls | Total ms |", "|---|---:|---:|"]
            lines += [
                f"| {_cell(r['name'])} | {r['calls']:,} | {_ms(r['total_ms'])} |" for r in rows[:_TOP_NAMES]
            ]
    histogram = workload.get("histogram") or []
    if histogram:
        lines += ["", "## Over time", "", "```", *histogram_lines(histogram), "```"]
    logs = workload.get("logs") or []
    if logs:
        lines += ["", "## Log events", "", "| Kind | Count | Message | Where |", "|---|---:|---|---|"]
        for group in logs:
            where = group.get("location") or {}
            lines.append(
                f"| {group['kind']} | {group['count']:,} | {_cell(_short(group['message'], 120))} | "
                f"`{_code(str(where.get('path')))}:{where.get('line')}` |"
            )
    return lines


def _informative(rows: Sequence[Mapping[str, Any]]) -> bool:
    """A breakdown is worth a table unless the source did not say (all under "(unknown)")."""
    return len(rows) > 1 or (len(rows) == 1 and rows[0]["name"] != "(unknown)")


def histogram_lines(histogram: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per bucket: its start, a bar of its time, calls and ms."""
    peak = max((float(b["total_ms"] or 0) for b in histogram), default=0.0) or 1.0
    lines = []
    for bucket in histogram:
        bar = "#" * max(0, round(float(bucket["total_ms"] or 0) / peak * _BAR_WIDTH))
        lines.append(
            f"{bucket['start']}  {bar:<{_BAR_WIDTH}}  {bucket['calls']:>9,} calls  {_ms(bucket['total_ms']):>12} ms"
        )
    return lines


def _queries_table(queries: Sequence[Mapping[str, Any]], total: float) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for header in ("#", "total ms", "share", "calls", "mean", "p50", "p95", "p99", "rows"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("query", overflow="fold", ratio=1, min_width=30)
    for number, q in enumerate(queries, start=1):
        table.add_row(*_figures(number, q, total), escape(_short(q["shape"], _SHAPE_WIDTH)))
    return table


def _figures(number: int, q: Mapping[str, Any], total: float) -> list[str]:
    """A top query's rank and figures, as the terminal and Markdown tables show them (same columns)."""
    return [
        str(number),
        _ms(q["total_ms"]),
        _share(q["total_ms"], total),
        f"{q['calls']:,}",
        _ms(q["mean_ms"]),
        _ms(q.get("p50_ms")),
        _ms(q.get("p95_ms")),
        _ms(q.get("p99_ms")),
        "" if q.get("rows") is None else f"{q['rows']:,}",
    ]


def _print_links(console: Console, number: int, query: Mapping[str, Any]) -> None:
    """Where the example was read, and what the query checks and EXPLAIN found on it."""
    where = query.get("example_location") or {}
    found = _check_findings(query)
    explain = query.get("explain") or {}
    found += list(explain.get("findings") or [])
    if not found and not explain.get("plan"):
        return
    console.print(
        f"  [bold]#{number}[/] [dim]{escape(str(where.get('path')))}:{where.get('line')}  "
        f"fingerprint {query['fingerprint']}[/]"
    )
    for finding in found:
        console.print(f"      [yellow]{escape(finding['rule'])}[/]  {escape(finding['message'])}")
    if explain.get("plan"):
        console.print(f"      [dim]plan: {escape(explain['plan'])}[/]")


def _check_findings(query: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((query.get("checks") or {}).get("findings") or [])


def _names_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("name")
    table.add_column("calls", justify="right")
    table.add_column("total ms", justify="right")
    for row in rows:
        table.add_row(escape(str(row["name"])), f"{row['calls']:,}", _ms(row["total_ms"]))
    return table


def _ms(value: Any) -> str:
    if value is None:
        return "-"
    value = float(value)
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}" if value < 10 else f"{value:,.1f}"


def _share(ms: Any, total: float) -> str:
    if not total or ms is None:
        return "-"
    share = float(ms) / total
    return f"{share:.0%}" if share >= 0.01 else "<1%"


def _amount(group: Mapping[str, Any]) -> str:
    amount = float(group["amount"])
    if group["kind"] == "temp-file":
        return f"{amount / 2**20:,.1f} MiB in all"
    if group["kind"] == "lock-wait":
        return f"{amount:,.0f} ms waited"
    return f"{amount:,.1f}"


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} s"


def _short(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return str(text).replace("`", "'").replace("|", "\\|")
