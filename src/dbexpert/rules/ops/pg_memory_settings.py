"""
## What it does
Checks PostgreSQL's memory settings against the machine's memory. It wants `shared_buffers` near 25 % of
RAM (reported outside `shared_buffers_range`, default 15-40 %), `effective_cache_size` at 50-75 %
(reported below 50 % or above 100 %), `work_mem × max_connections` plus `shared_buffers` within RAM,
and `maintenance_work_mem` at least RAM/32 up to 1 GB. The machine's memory comes from the
`machine_memory_mb` option, else from `/proc/meminfo` when the server runs on the audited machine;
when neither is known only a default 128MB `shared_buffers` is reported, and the evidence says so.

## Why is this bad?
The defaults fit a tiny machine. Too little `shared_buffers` sends the working set through the
kernel on every access; an `effective_cache_size` far below the real cache makes the planner avoid
index scans; `work_mem` is per sort or hash per connection, so a value that looks small multiplied
by `max_connections` can exhaust memory and invoke the OOM killer; and a small
`maintenance_work_mem` makes VACUUM and index builds take many passes. postgresqltuner and PGTune
recommend these same ratios.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"shared_buffers": "128MB", "effective_cache_size": "4GB", "work_mem": "4MB",
   "max_connections": "100", "maintenance_work_mem": "64MB"},
 "facts": {"machine_memory_bytes": 17179869184}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"shared_buffers": "4GB", "effective_cache_size": "12GB", "work_mem": "16MB",
   "max_connections": "100", "maintenance_work_mem": "1GB"},
 "facts": {"machine_memory_bytes": 17179869184}}
```

## Fix safety
`shared_buffers` needs a restart; the others apply on reload. Leave room for the operating
system's page cache and for other processes on the same machine, and check the machine's memory
value first: in a container it may not be what the container may use. Manual.

## References
- https://www.postgresql.org/docs/current/runtime-config-resource.html
- https://wiki.postgresql.org/wiki/Tuning_Your_PostgreSQL_Server
- https://github.com/jfcoz/postgresqltuner
- https://pgtune.leopard.in.ua/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import alter_system, human, machine_memory, number, round_size, size_bytes
from dbexpert.rules.registry import Rule, Target

MB = 1024**2
DEFAULT_SHARED_BUFFERS = 128 * MB


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    memory, source = machine_memory(snapshot, ctx)
    shared = size_bytes(snapshot.setting("shared_buffers"))
    if memory is None:
        if shared == DEFAULT_SHARED_BUFFERS:
            yield ctx.finding(
                "shared_buffers is still the 128MB default; the machine's memory is unknown, so the "
                "other memory settings were not checked.",
                location=Location(object="shared_buffers"),
                fix="Set shared_buffers to about 25% of the machine's memory (restart needed); set the "
                "machine_memory_mb option to have every memory setting checked.",
                sql=alter_system("shared_buffers", "<25% of RAM>"),
                evidence={"shared_buffers": snapshot.setting("shared_buffers"), "machine_memory": source},
            )
        return
    low, high = ctx.option("shared_buffers_range")
    if shared is not None and not low <= shared / memory <= high:
        yield _finding(
            ctx,
            "shared_buffers",
            snapshot,
            memory,
            source,
            memory // 4,
            f"is {shared / memory:.1%} of the machine's memory (about 25% is recommended)",
        )
    cache = size_bytes(snapshot.setting("effective_cache_size"))
    if cache is not None and not 0.5 <= cache / memory <= 1.0:
        yield _finding(
            ctx,
            "effective_cache_size",
            snapshot,
            memory,
            source,
            memory * 3 // 4,
            f"is {cache / memory:.1%} of the machine's memory (50-75% is recommended)",
        )
    work_mem = size_bytes(snapshot.setting("work_mem"))
    connections = number(snapshot.setting("max_connections"))
    if work_mem is not None and connections and shared is not None:
        peak = shared + work_mem * connections
        if peak > memory:
            # PGTune: (75% of RAM - shared_buffers) / (3 × max_connections), at least 4MB.
            target = max(4 * MB, int((memory * 3 // 4 - shared) / (3 * connections)) // MB * MB)
            yield _finding(
                ctx,
                "work_mem",
                snapshot,
                memory,
                source,
                target,
                f"× max_connections ({int(connections)}) plus shared_buffers is {peak / MB:,.0f} MB, "
                "more than the machine's memory, before counting several sorts per query",
            )
    maintenance = size_bytes(snapshot.setting("maintenance_work_mem"))
    wanted = min(memory // 32, 1024 * MB) // MB * MB
    if maintenance is not None and maintenance < wanted:
        yield _finding(
            ctx,
            "maintenance_work_mem",
            snapshot,
            memory,
            source,
            wanted,
            "is small for this machine: VACUUM and CREATE INDEX will need many passes",
        )


def _finding(
    ctx: RuleContext, name: str, snapshot: HealthSnapshot, memory: int, source: str, target: int, why: str
) -> Finding:
    value = human(round_size(target)) if name != "work_mem" else human(target)
    return ctx.finding(
        f"{name} = {snapshot.setting(name)} {why}; suggested: {value}.",
        location=Location(object=name),
        fix=f"Set {name} to {value}" + (" (restart needed)." if name == "shared_buffers" else " (reload)."),
        sql=alter_system(name, value),
        evidence={
            name: snapshot.setting(name),
            "max_connections": snapshot.setting("max_connections"),
            "shared_buffers": snapshot.setting("shared_buffers"),
            "machine_memory_bytes": memory,
            "machine_memory_source": source,
            "suggested": value,
        },
    )


RULE = Rule(
    name="memory-settings-vs-machine",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"machine_memory_mb": 0, "shared_buffers_range": [0.15, 0.4]},
)
