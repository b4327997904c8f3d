"""Tell which engine printed a saved plan from its first meaningful lines.

Each reader owns the details of its format; this only routes. JSON is routed by its top-level keys
(PostgreSQL ``Plan``, MySQL/MariaDB ``query_block``, MongoDB ``queryPlanner``/``executionStats``),
text by its shape (MySQL TREE starts with its root's ``-> ``, SQLite's EXPLAIN QUERY PLAN uses ``|--``
branches or ``SCAN``/``SEARCH`` details). Anything else is read as PostgreSQL text, whose reader
gives the precise error.
"""

from __future__ import annotations

import re

from dbexpert.model import Engine

_MYSQL_JSON = re.compile(r'"query_block"\s*:')
# mongosh prints relaxed JSON: unquoted (or single-quoted) keys.
_MONGO_JSON = re.compile(r"""(?:["']|\b)(?:queryPlanner|executionStats|winningPlan)["']?\s*:""")
_PG_JSON = re.compile(r'"Plan"\s*:')
# MySQL's TREE starts with its root "-> ..." (PostgreSQL's text has "->  " only below its root).
_MYSQL_TREE = re.compile(
    r"\A(?:\s*(?:EXPLAIN|\+-+\+|\|\s*EXPLAIN\s*\||\*+\s*\d+\. row\s*\*+)\s*\n)*[\s|]*(?:EXPLAIN:\s*)?-> \S"
)
_SQLITE_LINE = re.compile(
    r"^[\s|`]*(?:[|`]--)?\s*(?:SCAN|SEARCH|USE TEMP B-TREE|CORRELATED|SCALAR SUBQUERY|CO-ROUTINE|"
    r"MATERIALIZE|COMPOUND QUERY|LIST SUBQUERY|MULTI-INDEX OR|BLOOM FILTER|UNION ALL|LEFT-MOST SUBQUERY)\b",
    re.M,
)
# Raw rows (id|parent|notused|detail, as columns, or as Python prints the tuples).
_SQLITE_ROWS = re.compile(
    r"^\s*\(?\s*\d+\s*[|\s,]\s*\d+\s*[|\s,]\s*\d+\s*[|\s,]\s*['\"]?"
    r"(?:SCAN|SEARCH|EXECUTE|CORRELATED|CO-ROUTINE|MATERIALIZE|COMPOUND|LIST SUBQUERY|SCALAR SUBQUERY)\b",
    re.M,
)


def sniff_engine(text: str) -> Engine:
    """The engine whose plan reader should read ``text`` (PostgreSQL when nothing else matches)."""
    head = text[:20000]
    stripped = head.lstrip()
    if _PG_JSON.search(head) and '"Node Type"' in head:
        return Engine.POSTGRES
    if _MYSQL_JSON.search(head):
        return Engine.MYSQL
    if _MONGO_JSON.search(head):
        return Engine.MONGODB
    if stripped[:1] in "[{":
        return Engine.POSTGRES
    if _MYSQL_TREE.search(head):
        return Engine.MYSQL
    if _SQLITE_LINE.search(head) or _SQLITE_ROWS.search(head):
        return Engine.SQLITE
    return Engine.POSTGRES
