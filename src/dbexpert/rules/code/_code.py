"""What the code rules share: where a site is, and its evidence."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Location
from dbexpert.model.code import LoopQuery


def location(site: LoopQuery) -> Location:
    return Location(path=site.path, line=site.line, column=site.column, object=site.model)


def evidence(site: LoopQuery) -> dict[str, Any]:
    return {
        "orm": site.orm,
        "query": site.call,
        "loop": site.loop,
        "loop_line": site.loop_line,
        **({"model": site.model} if site.model else {}),
        **({"relation": site.relation} if site.relation else {}),
        **dict(site.facts),
        "how": "static analysis of the code: the query runs once per item of the loop",
    }


def fix_text(site: LoopQuery) -> str:
    if site.batched:
        return (
            f"{site.fix} One query for all items: {site.batched}"
            if site.fix
            else f"One query for all items: {site.batched}"
        )
    return site.fix
