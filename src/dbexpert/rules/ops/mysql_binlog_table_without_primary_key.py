"""
## What it does
Reports tables without a primary key on a server that writes a binary log.

Lists the tables without a primary key on a server that writes a binary log (`log_bin = ON`), from
information_schema.TABLES and TABLE_CONSTRAINTS (all user schemas).

## Why is this bad?
With row-based replication each changed row is found again on the replica by its primary key;
without one, every row event scans the whole table there, and replicas fall hours behind on a
single large UPDATE or DELETE. Group Replication and many managed services refuse such tables.
MySQLTuner lists them.

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "binlog_format": "ROW"},
 "results": {"tables_without_primary_key": [
   {"table_schema": "shop", "table_name": "audit_log", "engine": "InnoDB", "table_rows": 1200000}]}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"log_bin": "ON", "binlog_format": "ROW"},
 "results": {"tables_without_primary_key": []}}
```

## Fix safety
Adding a column rebuilds the table (online with InnoDB, but it takes time and disk on large
tables; use pt-online-schema-change or gh-ost there). On MySQL 8.0.23+ an INVISIBLE key column
leaves `SELECT *` unchanged. Manual.

## References
- https://github.com/major/MySQLTuner-perl (Tables without primary keys)
- https://dev.mysql.com/doc/refman/8.0/en/replication-features-pk.html
- https://dev.mysql.com/doc/refman/8.0/en/group-replication-requirements.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location, Version
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import binlog_on, mariadb
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.quote import quote_ident

_INVISIBLE_FROM = Version.parse("8.0.23")


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if not binlog_on(snapshot):
        return
    invisible = not mariadb(snapshot) and snapshot.version is not None and snapshot.version >= _INVISIBLE_FROM
    for row in snapshot.rows("tables_without_primary_key"):
        schema, name = str(row["table_schema"]), str(row["table_name"])
        table = f"{quote_ident(schema, Engine.MYSQL)}.{quote_ident(name, Engine.MYSQL)}"
        column = "row_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT" + (" INVISIBLE" if invisible else "")
        yield ctx.finding(
            f"Table {schema}.{name} has no primary key and the binary log is on: replicas scan it "
            "for every changed row.",
            location=Location(object=f"{schema}.{name}"),
            fix="Give the table a primary key (its natural key, or a surrogate column).",
            sql=f"ALTER TABLE {table} ADD COLUMN {column} PRIMARY KEY FIRST;",
            evidence={
                "table_rows": row.get("table_rows"),
                "engine": row.get("engine"),
                "log_bin": snapshot.setting("log_bin"),
                "binlog_format": snapshot.setting("binlog_format"),
                "measured": "information_schema.TABLES without a PRIMARY KEY in TABLE_CONSTRAINTS; "
                "table_rows is InnoDB's estimate",
            },
        )


RULE = Rule(
    name="mysql-binlog-table-without-primary-key",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
)
