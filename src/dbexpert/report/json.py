"""JSON: ``{"findings": [...], "summary": {...}}`` plus the command's own results (DESIGN § 6)."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.report.base import ReportData, ordered, summary_of
from dbexpert.rules.registry import Registry


def render_json(data: ReportData, registry: Registry) -> str:
    document = {
        "findings": [f.to_dict() for f in ordered(data.findings)],
        "summary": summary_of(data),
        **dict(data.extra),
    }
    return dumps(document) + "\n"


def dumps(document: Any) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False, default=str)``, character for character.

    With ``indent`` the standard library encodes through nested Python generators, one per level
    for every value; a report of thousands of findings spends most of its time there. This writes
    the same text straight into one list of parts."""
    parts: list[str] = []
    _Writer(parts).value(document, "\n")
    return "".join(parts)


_encode_string = json.encoder.encode_basestring  # the C version when available, as json.dumps uses
_INFINITY = float("inf")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


class _Writer:
    def __init__(self, parts: list[str]) -> None:
        self.append = parts.append
        self.markers: set[int] = set()  # containers being written, to refuse a circular reference

    def value(self, value: Any, newline: str) -> None:
        """Write ``value``; ``newline`` starts a line at its own indentation."""
        if isinstance(value, str):
            self.append(_encode_string(value))
        elif value is None:
            self.append("null")
        elif value is True:
            self.append("true")
        elif value is False:
            self.append("false")
        elif isinstance(value, int):
            self.append(int.__repr__(value))
        elif isinstance(value, float):
            self.append(_float(value))
        elif isinstance(value, list | tuple):
            self.sequence(value, newline)
        elif isinstance(value, dict):
            self.mapping(value, newline)
        else:
            self.enter(value)
            self.value(str(value), newline)
            self.markers.discard(id(value))

    def enter(self, value: Any) -> None:
        marker = id(value)
        if marker in self.markers:
            raise ValueError("Circular reference detected")
        self.markers.add(marker)

    def sequence(self, values: list[Any] | tuple[Any, ...], newline: str) -> None:
        if not values:
            self.append("[]")
            return
        self.enter(values)
        inner = newline + "  "
        append = self.append
        separator, comma = "[" + inner, "," + inner
        for item in values:
            append(separator)
            separator = comma
            if isinstance(item, str):
                append(_encode_string(item))
            else:
                self.value(item, inner)
        append(newline + "]")
        self.markers.discard(id(values))

    def mapping(self, values: dict[Any, Any], newline: str) -> None:
        if not values:
            self.append("{}")
            return
        self.enter(values)
        inner = newline + "  "
        append = self.append
        separator, comma = "{" + inner, "," + inner
        for key, item in values.items():
            head = separator + _encode_string(key if isinstance(key, str) else _key(key)) + ": "
            separator = comma
            if isinstance(item, str):
                append(head + _encode_string(item))
            elif item is None:
                append(head + "null")
            elif item is True:
                append(head + "true")
            elif item is False:
                append(head + "false")
            elif type(item) is int:
                append(head + int.__repr__(item))
            else:
                append(head)
                self.value(item, inner)
        append(newline + "}")
        self.markers.discard(id(values))


def _key(key: Any) -> str:
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
