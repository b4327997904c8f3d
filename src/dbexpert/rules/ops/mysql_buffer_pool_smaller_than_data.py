"""
## What it does
Reports an InnoDB buffer pool smaller than the InnoDB data and indexes.

Compares `innodb_buffer_pool_size` with the InnoDB data and index size (information_schema.TABLES),
and, when the machine's memory is known (the `machine_memory_mb` option), keeps the recommended
size within `max_memory_percent` of it.

## Why is this bad?
InnoDB serves reads from its buffer pool; when data and indexes do not fit, hot pages are evicted
and re-read from disk. MySQLTuner warns when the buffer pool is smaller than the InnoDB data size
and recommends up to about 75% of the memory of a dedicated server (leaving room for connections,
the OS and its file cache).

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"innodb_buffer_pool_size": "134217728"},
 "facts": {"innodb_data_bytes": 2147483648, "innodb_index_bytes": 536870912}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"innodb_buffer_pool_size": "4294967296"},
 "facts": {"innodb_data_bytes": 2147483648, "innodb_index_bytes": 536870912}}
```

## Fix safety
`innodb_buffer_pool_size` can be resized online (MySQL 5.7.5+, MariaDB 10.2+), in chunks, while
the server serves queries; set it in the configuration file too. A pool larger than the free
memory makes the machine swap: never exceed what the server can spare. Manual.

## References
- https://github.com/major/MySQLTuner-perl (InnoDB buffer pool / data size)
- https://dev.mysql.com/doc/refman/8.0/en/innodb-buffer-pool-resize.html
- https://mariadb.com/kb/en/innodb-buffer-pool/
"""

import math
from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import MIB, fact, mib, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    pool = setting(snapshot, "innodb_buffer_pool_size")
    data, index = fact(snapshot, "innodb_data_bytes"), fact(snapshot, "innodb_index_bytes")
    if pool is None or data is None or index is None:
        return
    needed = data + index
    if needed <= pool or needed < ctx.option("min_data_mb") * MIB:
        return
    memory_mb = ctx.option("machine_memory_mb")
    # Room for growth: the data plus a tenth, in whole 128 MiB chunks (the default chunk size).
    target = math.ceil(needed * 1.1 / (128 * MIB)) * 128 * MIB
    memory_note = "machine memory unknown (set the machine_memory_mb option)"
    if memory_mb:
        cap = int(memory_mb * MIB * ctx.option("max_memory_percent") / 100) // (128 * MIB) * 128 * MIB
        target = min(target, cap)
        memory_note = f"capped at {ctx.option('max_memory_percent')}% of {memory_mb} MiB of machine memory"
    if target <= pool:
        return
    yield ctx.finding(
        f"The InnoDB buffer pool ({mib(pool)}) is smaller than the InnoDB data and indexes "
        f"({mib(needed)}): hot pages are evicted and read again from disk.",
        location=Location(object="innodb_buffer_pool_size"),
        fix=f"Raise innodb_buffer_pool_size to about {mib(target)} ({memory_note}), online and in "
        "the configuration file.",
        sql=f"SET GLOBAL innodb_buffer_pool_size = {target};\n"
        f"-- and in my.cnf [mysqld]: innodb_buffer_pool_size = {target // MIB}M",
        evidence={
            "innodb_buffer_pool_size": int(pool),
            "innodb_data_bytes": int(data),
            "innodb_index_bytes": int(index),
            "machine_memory_mb": memory_mb or None,
            "measured": "SHOW GLOBAL VARIABLES; SUM(data_length), SUM(index_length) of InnoDB tables "
            "in information_schema.TABLES (estimates kept by InnoDB)",
        },
    )


RULE = Rule(
    name="mysql-buffer-pool-smaller-than-data",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"min_data_mb": 64, "machine_memory_mb": 0, "max_memory_percent": 75},
)
