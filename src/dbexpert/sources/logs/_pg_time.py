"""PostgreSQL log timestamps ('2024-05-01 12:00:00.123 UTC', '... +02', epoch '1714564800.123')
to seconds since the epoch, UTC.

Logs repeat the same second thousands of times, so the date-and-time part is converted once per
distinct second (a small dict) and the milliseconds are added. Zone abbreviations other than the
common ones below cannot be resolved without the server's timezone set and are read as UTC.
"""

from __future__ import annotations

import calendar
import time

_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "CET": 3600, "CEST": 7200, "EET": 7200, "EEST": 10800, "WET": 0,
    "WEST": 3600, "BST": 3600, "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000,
    "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200, "JST": 32400, "IST": 19800,
    "MSK": 10800, "AEST": 36000, "AEDT": 39600,
}  # fmt: skip
_SECONDS: dict[str, float] = {}


def parse_timestamp(text: str | None) -> float | None:
    global _last_text, _last_value
    if text == _last_text:  # consecutive lines often share their timestamp
        return _last_value
    _last_text, _last_value = text, _parse(text)
    return _last_value


_last_text: str | None = None
_last_value: float | None = None


def _parse(text: str | None) -> float | None:
    if not text:
        return None
    if text[:4].isdigit() and len(text) > 4 and text[4] != "-":  # %n: epoch seconds
        try:
            return float(text)
        except ValueError:
            return None
    base = _SECONDS.get(text[:19])
    if base is None:
        try:
            base = float(calendar.timegm(time.strptime(text[:19], "%Y-%m-%d %H:%M:%S")))
        except ValueError:
            return None
        if len(_SECONDS) > 100_000:  # a log spanning many days: keep the dict small
            _SECONDS.clear()
        _SECONDS[text[:19]] = base
    rest = text[19:]
    fraction = 0.0
    if rest.startswith("."):
        digits = rest[1:4]
        fraction = int(digits) / 1000 if digits.isdigit() else 0.0
        rest = rest[4:]
    return base + fraction - _offset(rest.strip())


def _offset(zone: str) -> float:
    if not zone:
        return 0.0
    if zone[0] in "+-":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        if not digits.isdigit():
            return 0.0
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        return sign * (hours * 3600 + minutes * 60)
    return float(_ZONES.get(zone.upper(), 0))
