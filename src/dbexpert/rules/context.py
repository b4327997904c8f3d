"""What a rule's ``check`` receives besides its target, and the one way to build a finding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dbexpert.model import (
    Applicability,
    Catalog,
    Column,
    Engine,
    Finding,
    Fix,
    Location,
    Mode,
    Severity,
    Table,
    Version,
)
from dbexpert.model.backup import BackupProblem
from dbexpert.model.code import LoopQuery
from dbexpert.model.health import HealthSnapshot
from dbexpert.model.plan import Plan, iter_sites
from dbexpert.model.probe import LiveProbe
from dbexpert.model.workload import RequestTrace
from dbexpert.rules.registry import Registry, Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql.quote import qualify, quote_ident

if TYPE_CHECKING:  # sqlglot loads only when queries are checked
    from dbexpert.sql.query.tree import Query


@dataclass(frozen=True, slots=True)
class RuleContext:
    rule: Rule
    catalog: Catalog
    options: Mapping[str, Any]  # the rule's options: defaults overlaid with configuration
    probe: LiveProbe | None = None  # live, bounded, read-only questions; None in static mode

    @property
    def engine(self) -> Engine:
        return self.catalog.engine

    @property
    def version(self) -> Version | None:
        return self.catalog.version

    @property
    def live(self) -> bool:
        return self.catalog.live

    @property
    def mariadb(self) -> bool:
        return self.catalog.engine is Engine.MYSQL and self.catalog.flavor == "mariadb"

    @property
    def orm(self) -> str | None:
        """The ORM the catalog was read from (``"prisma"``), or None for a database or DDL."""
        orm = self.catalog.attrs.get("orm")
        return orm if isinstance(orm, str) else None

    def orm_name(self, table: Table, column: str | None = None) -> str:
        """The ORM's name for a table (its model) or a column (its field); the database name otherwise."""
        if column is None:
            return str(table.attrs.get("orm_model", table.name))
        found = table.column(column)
        return str(found.attrs.get("orm_field", column)) if found is not None else column

    def orm_fix(self, fix: str, **by_orm: str) -> str:
        """``fix``, followed by the fix in the ORM's own syntax when the rule offers one for this ORM."""
        extra = by_orm.get(self.orm or "")
        return f"{fix} {extra}" if extra else fix

    def option(self, name: str) -> Any:
        return self.options[name]

    def ident(self, name: str) -> str:
        """An identifier quoted for this engine's SQL."""
        return quote_ident(name, self.engine)

    def table_name(self, table: Table) -> str:
        """A table's name for fix SQL, schema-qualified unless it is in the default schema."""
        return qualify(table.name, table.schema, self.engine, self.catalog.default_schema)

    def columns_sql(self, columns: Iterable[str]) -> str:
        return ", ".join(self.ident(c) for c in columns)

    def finding(
        self,
        message: str,
        *,
        table: Table | None = None,
        column: Column | str | None = None,
        location: Location | None = None,
        fix: str | None = None,
        sql: str | None = None,
        applicability: Applicability = Applicability.MANUAL,
        evidence: Mapping[str, Any] | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule. ``fix`` describes the fix, ``sql`` is the fix statement(s)."""
        col = table.column(column) if table is not None and isinstance(column, str) else column
        col_obj = col if isinstance(col, Column) else None
        obj = None
        if table is not None:
            obj = table.qualified_name
            if col_obj is not None:
                obj = f"{obj}.{col_obj.name}"
            elif isinstance(column, str):
                obj = f"{obj}.{column}"
        if location is None:
            location = (
                (col_obj.location if col_obj else None) or (table.location if table else None) or Location()
            )
        if obj is not None and location.object is None:
            location = location.with_object(obj)
        evidence = dict(evidence or {})
        return Finding(
            rule=self.rule.name,
            code=self.rule.code,
            category=self.rule.category,
            severity=severity or self.options.get("__severity__") or self.rule.default_severity,
            message=message,
            location=location,
            mode=Mode.LIVE if self.live else Mode.STATIC,
            fix=Fix(description=fix or "", sql=sql, applicability=applicability) if fix or sql else None,
            evidence=MappingProxyType(evidence),
            table=table.qualified_name if table is not None else None,
        )


def run_rules(
    catalog: Catalog,
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None = None,
    probe: LiveProbe | None = None,
) -> list[Finding]:
    """Run ``rules`` over ``catalog``. ``options`` maps rule name -> option overrides."""
    findings: list[Finding] = []
    options = options or {}
    for rule in rules:
        if not rule.applies_to(catalog.engine, catalog.version):
            continue
        if rule.needs_live and not catalog.live:
            continue
        merged = {**rule.options, **options.get(rule.name, {})}
        ctx = RuleContext(rule=rule, catalog=catalog, options=MappingProxyType(merged), probe=probe)
        if rule.target is Target.CATALOG:
            findings.extend(rule.check(catalog, ctx))
        elif rule.target is Target.TABLE:
            for table in catalog.tables:
                findings.extend(rule.check(table, ctx))
    return findings


def rules_for(registry: Registry, names: Iterable[str]) -> list[Rule]:
    return [registry.get(name) for name in sorted(names)]


def run_statement_rules(
    steps: Iterable[MigrationStep],
    catalog: Catalog,
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Finding]:
    """Run the statement rules among ``rules`` over migration steps; ``catalog`` gives engine and version.

    A rule that declares the action types it looks at only sees the statements that have one.
    """
    steps = list(steps)
    by_type: dict[type, list[int]] = {}  # action type -> positions of the steps that have one
    for position, step in enumerate(steps):
        for kind in {type(action) for action in step.actions}:
            by_type.setdefault(kind, []).append(position)
    findings: list[Finding] = []
    for ctx in contexts_for(Target.STATEMENT, rules, catalog, options):
        for step in _relevant(steps, by_type, ctx.rule.actions):
            findings.extend(ctx.rule.check(step, ctx))
    return findings


def _relevant(
    steps: list[MigrationStep], by_type: Mapping[type, list[int]], kinds: tuple[type, ...]
) -> list[MigrationStep]:
    """The steps with an action of one of ``kinds`` (all of them when none is declared), in order."""
    if not kinds:
        return steps
    if len(kinds) == 1:
        positions: Iterable[int] = by_type.get(kinds[0], ())
    else:
        positions = sorted({position for kind in kinds for position in by_type.get(kind, ())})
    return [steps[position] for position in positions]


def contexts_for(
    target: Target,
    rules: Iterable[Rule],
    catalog: Catalog,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[RuleContext]:
    """A context for each rule among ``rules`` that inspects ``target`` and applies to the catalog's
    engine and version, its options the defaults overlaid with ``options[rule name]``."""
    options = options or {}
    return [
        RuleContext(
            rule=rule,
            catalog=catalog,
            options=MappingProxyType({**rule.options, **options.get(rule.name, {})}),
        )
        for rule in rules
        if rule.target is target and rule.applies_to(catalog.engine, catalog.version)
    ]


def _checked(contexts: Iterable[RuleContext], items: Iterable[Any]) -> list[Finding]:
    """Every rule's findings over every item, rule by rule."""
    items = list(items)
    return [finding for ctx in contexts for item in items for finding in ctx.rule.check(item, ctx)]


def run_plan_rules(
    plan: Plan,
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None = None,
    version: Version | None = None,
) -> list[Finding]:
    """Run the plan-node rules among ``rules`` that apply to the plan's engine over every node."""
    catalog = Catalog(engine=plan.engine, version=version)
    return _checked(contexts_for(Target.PLAN_NODE, rules, catalog, options), iter_sites(plan))


def run_query_rules(
    queries: Iterable[Query],
    catalog: Catalog,
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Finding]:
    """Run the query rules among ``rules`` over application statements; ``catalog`` (empty when no
    schema was given) answers what the statements' tables and columns are."""
    return _checked(contexts_for(Target.QUERY, rules, catalog, options), queries)


def run_health_rules(
    snapshot: HealthSnapshot,
    catalog: Catalog,
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Finding]:
    """Run the health rules among ``rules`` that apply to the server's engine and version."""
    return _checked(contexts_for(Target.HEALTH, rules, catalog, options), [snapshot])


def run_code_rules(
    sites: Iterable[LoopQuery],
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Finding]:
    """Run the code rules among ``rules`` over the queries found inside loops."""
    catalog = Catalog(engine=Engine.POSTGRES)  # code is engine-neutral; rules declare every engine
    return _checked(contexts_for(Target.LOOP_QUERY, rules, catalog, options), sites)


def run_request_rules(
    traces: Iterable[RequestTrace],
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Finding]:
    """Run the request rules among ``rules`` over the requests, transactions and sessions of a
    workload (N+1 queries, per-row inserts, duplicate queries), request by request."""
    return _by_item(Target.REQUEST, traces, rules, options)


def run_backup_rules(
    problems: Iterable[BackupProblem],
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Finding]:
    """Run the backup-problem rules among ``rules`` over what ``backup verify`` observed, in order."""
    return _by_item(Target.BACKUP_PROBLEM, problems, rules, options)


def _by_item(
    target: Target,
    items: Iterable[RequestTrace | BackupProblem],
    rules: Iterable[Rule],
    options: Mapping[str, Mapping[str, Any]] | None,
) -> list[Finding]:
    """Findings item by item, for items that each name their engine (contexts built once per engine)."""
    rules = list(rules)
    contexts: dict[Engine, list[RuleContext]] = {}
    findings: list[Finding] = []
    for item in items:
        if item.engine not in contexts:
            contexts[item.engine] = contexts_for(target, rules, Catalog(engine=item.engine), options)
        findings.extend(_checked(contexts[item.engine], [item]))
    return findings
