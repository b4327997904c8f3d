"""
## What it does
Reports an InnoDB buffer pool that serves too few page reads from memory.

Computes the InnoDB buffer pool read efficiency, `1 - Innodb_buffer_pool_reads /
Innodb_buffer_pool_read_requests` (reads that had to go to disk over logical reads), and reports it
below `min_hit_percent` once the server has served at least `min_read_requests` reads.

## Why is this bad?
Every miss is a disk read on the query's path. MySQLTuner flags a read efficiency below 90%; a
working set that does not fit in the pool usually means the pool is too small for the hot data,
or that queries scan far more than they need (missing indexes).

## Example
```json
{"engine": "mysql", "version": "10.11.6", "flavor": "mariadb",
 "settings": {"innodb_buffer_pool_size": "134217728"},
 "facts": {"Innodb_buffer_pool_read_requests": 5000000, "Innodb_buffer_pool_reads": 900000, "Uptime": 86400}}
```

## Use instead
```json
{"engine": "mysql", "version": "10.11.6", "flavor": "mariadb",
 "settings": {"innodb_buffer_pool_size": "4294967296"},
 "facts": {"Innodb_buffer_pool_read_requests": 5000000, "Innodb_buffer_pool_reads": 2000, "Uptime": 86400}}
```

## Fix safety
Raising `innodb_buffer_pool_size` is online but takes memory from the rest of the machine; indexes
that stop full scans cost writes. Counters are cumulative since start: right after a restart the
pool is cold and the rate is low for a while. Manual.

## References
- https://github.com/major/MySQLTuner-perl (InnoDB Read buffer efficiency)
- https://dev.mysql.com/doc/refman/8.0/en/innodb-buffer-pool.html#innodb-buffer-pool-monitoring
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import fact, measured, mib, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    requests = fact(snapshot, "Innodb_buffer_pool_read_requests")
    reads = fact(snapshot, "Innodb_buffer_pool_reads")
    if requests is None or reads is None or requests < ctx.option("min_read_requests"):
        return
    hit = 100 * (1 - reads / requests)
    if hit >= ctx.option("min_hit_percent"):
        return
    pool = setting(snapshot, "innodb_buffer_pool_size")
    yield ctx.finding(
        f"Only {hit:.1f}% of InnoDB page reads were served from the buffer pool "
        f"({int(reads):,} of {int(requests):,} went to disk).",
        location=Location(object="innodb_buffer_pool_size"),
        fix="Give the buffer pool room for the working set (see mysql-buffer-pool-smaller-than-data), "
        "and index the queries that scan large tables.",
        sql=f"SET GLOBAL innodb_buffer_pool_size = {int(pool or 0) * 2};  -- then measure again"
        if pool
        else None,
        evidence={
            "hit_percent": round(hit, 2),
            "Innodb_buffer_pool_reads": int(reads),
            "Innodb_buffer_pool_read_requests": int(requests),
            "innodb_buffer_pool_size": mib(pool) if pool else None,
            "measured": measured(snapshot),
        },
    )


RULE = Rule(
    name="mysql-buffer-pool-hit-rate-low",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"min_hit_percent": 90, "min_read_requests": 100_000},
)
