"""What several rules share about names: splitting them into words, singular and plural forms,
and matching a reference column (``user_id``) with the table it points at.

Not a rule (the leading underscore keeps the registry away). Pure functions over names.
"""

from __future__ import annotations

import re

from dbexpert.model import Catalog, Table

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "datum": "data",
    "medium": "media",
    "criterion": "criteria",
    "analysis": "analyses",
    "index": "indices",
}
_IRREGULAR_SINGULAR = {plural: single for single, plural in _IRREGULAR.items()}
_SIBILANT_PLURAL = re.compile(r"(ss|x|zz|ch|sh|tus)es$")

# Key columns named like a reference: user_id, user_ID, userId, userID.
_SNAKE_REF = re.compile(r"^(?P<stem>.+?)_id$", re.IGNORECASE)
_CAMEL_REF = re.compile(r"^(?P<stem>.*[a-z0-9])(?:Id|ID)$")


def plural(word: str) -> str:
    lower = word.lower()
    if lower in _IRREGULAR:
        return word[: len(word) - len(lower)] + _IRREGULAR[lower]
    if re.search(r"[^aeiou]y$", lower):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", lower):
        return word + "es"
    return word + "s"


def singular(word: str) -> str:
    lower = word.lower()
    if lower in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[lower]
    if lower.endswith("ies") and len(lower) > 3:
        return word[:-3] + "y"
    if _SIBILANT_PLURAL.search(lower):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def name_forms(stem: str) -> set[str]:
    """Lower-case table names a reference stem may point at: ``category`` -> category, categories."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", stem)
    forms = set()
    for base in {stem, snake}:
        forms.update({base, plural(base), singular(base)})
    return {form.lower() for form in forms}


def reference_stem(column: str) -> str | None:
    """``user`` for ``user_id`` / ``userId``; None when the column is not named like a reference."""
    match = _SNAKE_REF.match(column) or _CAMEL_REF.match(column)
    return match.group("stem") if match else None


def tables_named(catalog: Catalog, stem: str, schema: str | None) -> list[Table]:
    """Tables whose name is a singular/plural form of ``stem``, those in ``schema`` first."""
    tables = catalog.tables
    positions = _positions_by_name(tables)
    found = [tables[i] for i in sorted(i for form in name_forms(stem) for i in positions.get(form, ()))]
    return sorted(found, key=lambda t: t.schema != schema)


# The last catalog's tables, indexed by lower-case name: a rule asks once per column of every table,
# so scanning all tables each time is quadratic. The tuple is immutable and held here, so identity
# is a safe key.
_last_index: tuple[tuple[Table, ...], dict[str, list[int]]] | None = None


def _positions_by_name(tables: tuple[Table, ...]) -> dict[str, list[int]]:
    global _last_index
    cached = _last_index
    if cached is not None and cached[0] is tables:
        return cached[1]
    index: dict[str, list[int]] = {}
    for i, table in enumerate(tables):
        index.setdefault(table.name.lower(), []).append(i)
    if isinstance(tables, tuple):  # a list could change under the same identity
        _last_index = (tables, index)
    return index


def words(name: str) -> list[str]:
    """Name parts split on underscores and camelCase, lower-cased: deviceUUID -> [device, uuid]."""
    return [w.lower() for w in _WORD.findall(name)]
