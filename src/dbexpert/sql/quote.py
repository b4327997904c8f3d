"""Quote identifiers for the SQL we print (fixes), per engine, only when needed.

Fix SQL must survive hostile names (``a"; drop table x; --``), unicode and reserved words, so every
identifier we print passes through here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pglast import keywords

from dbexpert.model import Engine

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")
# MySQL reserved words that PostgreSQL does not reserve (the common ones people use as names).
_MYSQL_RESERVED = frozenset(
    """accessible add analyze asensitive before change condition database databases delayed desc describe
    distinctrow div dual each enclosed escaped exit explain float4 float8 force fulltext generated high_priority
    hour_microsecond hour_minute hour_second ignore index infile inout int1 int2 int3 int4 int8 key keys kill
    linear lines load lock long loop low_priority match mediumint middleint minute_microsecond minute_second mod
    modifies no_write_to_binlog optimize optionally out outfile purge range read reads regexp release rename repeat
    replace require resignal restrict rlike schemas separator show signal spatial sql_big_result
    sql_calc_found_rows sql_small_result sqlexception sqlstate sqlwarning ssl starting status stored straight_join
    terminated tinyblob tinyint tinytext trigger undo unlock unsigned usage use utc_date utc_time utc_timestamp
    varbinary varcharacter while write xor year_month zerofill rank groups window""".split()
)
_RESERVED = (
    frozenset(
        w.lower()
        for w in (*keywords.RESERVED_KEYWORDS, *keywords.TYPE_FUNC_NAME_KEYWORDS, *keywords.COL_NAME_KEYWORDS)
    )
    | _MYSQL_RESERVED
)


@lru_cache(maxsize=8192)
def needs_quotes(name: str) -> bool:
    return not _PLAIN.match(name) or name in _RESERVED


def quote_ident(name: str, engine: Engine) -> str:
    """``name`` as an identifier of ``engine``'s SQL, quoted when it is not a plain lower-case word."""
    if not needs_quotes(name):
        return name
    if engine is Engine.MYSQL:
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def qualify(name: str, schema: str | None, engine: Engine, default_schema: str | None = None) -> str:
    """``schema.name`` quoted, leaving the schema out when it is the default one."""
    if schema is None or schema == default_schema:
        return quote_ident(name, engine)
    return f"{quote_ident(schema, engine)}.{quote_ident(name, engine)}"


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
