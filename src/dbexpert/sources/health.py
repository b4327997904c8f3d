"""A health snapshot saved as JSON (``dbexpert audit URL --format json`` carries one under
``health``; rule docs and tests write them by hand) read back into :class:`HealthSnapshot`."""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

from dbexpert.model import Engine, InputError, Version
from dbexpert.model.health import HealthSnapshot


def snapshot_from_json(text: str, path: str = "<snapshot>") -> HealthSnapshot:
    """``{"engine": "postgres", "version": "15.4", "settings": {...}, "results": {"name": [rows]},
    "facts": {...}}`` -> a snapshot; anything else is an InputError naming what was expected."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not a JSON health snapshot: {exc.msg}") from None
    if not isinstance(data, dict) or "engine" not in data:
        raise InputError(f'{path}:1:1: a health snapshot is a JSON object with an "engine"')
    try:
        engine = Engine(str(data["engine"]))
        results = {
            str(k): tuple(MappingProxyType(dict(r)) for r in v)
            for k, v in dict(data.get("results", {})).items()
        }
        return HealthSnapshot(
            engine=engine,
            version=Version.parse(str(data["version"])) if data.get("version") else None,
            flavor=data.get("flavor"),
            settings=MappingProxyType({str(k): str(v) for k, v in dict(data.get("settings", {})).items()}),
            results=MappingProxyType(results),
            facts=MappingProxyType(dict(data.get("facts", {}))),
            unavailable=MappingProxyType(
                {str(k): str(v) for k, v in dict(data.get("unavailable", {})).items()}
            ),
            source=path,
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path}:1:1: malformed health snapshot: {exc}") from None


def snapshot_to_json(snapshot: HealthSnapshot) -> dict[str, Any]:
    """The JSON form :func:`snapshot_from_json` reads."""
    return {
        "engine": snapshot.engine.value,
        "version": str(snapshot.version) if snapshot.version else None,
        "flavor": snapshot.flavor,
        "settings": dict(snapshot.settings),
        "results": {name: [dict(row) for row in rows] for name, rows in snapshot.results.items()},
        "facts": dict(snapshot.facts),
        "unavailable": dict(snapshot.unavailable),
    }
