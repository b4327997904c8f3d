"""The rule registry: every rule module declares one :class:`Rule`; everything else is derived from it.

A rule module reads like a ruff rule: its docstring is the documentation (Markdown with the
sections in :data:`DOC_SECTIONS`), then a small ``check`` function, then ``RULE = Rule(...)``.
The registry discovers the modules, checks the declarations and serves them to the CLI, the
docs generator, the SARIF reporter and config validation; no rule is listed twice by hand.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dbexpert.model import Category, Engine, Finding, InputError, Severity, Version

if TYPE_CHECKING:
    from dbexpert.rules.context import RuleContext

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References")
RULE_PACKAGES = (
    "dbexpert.rules.schema",
    "dbexpert.rules.migration",
    "dbexpert.rules.exact",
    "dbexpert.rules.plan",
    "dbexpert.rules.query",
    "dbexpert.rules.ops",
    "dbexpert.rules.code",
    "dbexpert.rules.workload",
)
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
RELATIONAL = frozenset({Engine.POSTGRES, Engine.MYSQL, Engine.SQLITE})


class Target(StrEnum):
    """What a rule's ``check`` receives."""

    TABLE = "table"  # check(table, ctx), once per table
    CATALOG = "catalog"  # check(catalog, ctx), once per database
    STATEMENT = "statement"  # check(step: MigrationStep, ctx), once per statement of a migration
    MIGRATION_RUN = (
        "migration-run"  # check(run: MigrationRun, ctx), once per migration tried on a scratch copy
    )
    PLAN_NODE = "plan-node"  # check(site: NodeInPlan, ctx), once per node of a query plan
    QUERY = "query"  # check(query: dbexpert.sql.query.Query, ctx), once per application statement
    HEALTH = "health"  # check(snapshot: HealthSnapshot, ctx), once per live server audited
    LOOP_QUERY = "loop-query"  # check(site: LoopQuery, ctx), once per query found inside a loop in code
    BACKUP_PROBLEM = "backup-problem"  # check(problem: BackupProblem, ctx), once per problem `backup verify` saw
    REQUEST = "request"  # check(trace: RequestTrace, ctx), once per request/transaction/session of a workload


@dataclass(frozen=True, slots=True)
class RuleDocs:
    """The sections of a rule's documentation, parsed from its module docstring."""

    summary: str
    sections: Mapping[str, str]

    def section(self, title: str) -> str:
        return self.sections.get(title, "")

    def code_blocks(self, title: str) -> list[str]:
        """The fenced code blocks of a section (the Example and Use instead blocks are executed by tests)."""
        return [m.group(1).strip() for m in re.finditer(r"```[a-z]*\n(.*?)```", self.section(title), re.S)]

    @property
    def references(self) -> list[str]:
        return re.findall(r"<?(https?://[^\s>)]+)", self.section("References"))


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    category: Category
    target: Target
    check: Callable[[Any, RuleContext], Iterable[Finding]]
    doc: str | None
    engines: frozenset[Engine] = RELATIONAL
    summary: str = ""  # one line; defaults to the first line of the docstring's "What it does"
    code: str | None = None
    severity: Severity | None = None  # defaults to the category's severity
    enabled: bool = True
    aliases: tuple[str, ...] = ()
    min_version: Mapping[Engine, Version] = field(default_factory=lambda: MappingProxyType({}))
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # thresholds
    needs_live: bool = False  # only meaningful with live statistics or probes
    example_engine: Engine | None = None  # dialect of the Example/Use instead blocks
    # Statement rules: the DDL action types (dbexpert.sql.ddl) the rule looks at; the runner skips
    # statements without one. Empty: every statement.
    actions: tuple[type, ...] = ()
    # Request rules: the option that holds the fewest runs of one shape in a request the rule can
    # report (units without such a shape are never built). None: any shape that ran twice.
    runs_option: str | None = None

    @property
    def default_severity(self) -> Severity:
        return self.severity or self.category.default_severity

    @property
    def docs(self) -> RuleDocs:
        return parse_docs(self.doc or "")

    @property
    def one_line(self) -> str:
        if self.summary:
            return self.summary
        what = " ".join(self.docs.section("What it does").split("\n\n")[0].split())
        if not what:
            return self.name
        sentence = re.match(r"(.+?[.!?])(\s|$)", what)
        return sentence.group(1) if sentence else what

    @property
    def dialect(self) -> Engine:
        if self.example_engine is not None:
            return self.example_engine
        for engine in (Engine.POSTGRES, Engine.MYSQL, Engine.SQLITE):
            if engine in self.engines:
                return engine
        return next(iter(self.engines))

    def applies_to(self, engine: Engine, version: Version | None) -> bool:
        if engine not in self.engines:
            return False
        floor = self.min_version.get(engine)
        return floor is None or version is None or version >= floor


@cache
def parse_docs(doc: str) -> RuleDocs:
    """Split a rule docstring into its ``## Title`` sections."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    summary_lines: list[str] = []
    for line in _dedent(doc).splitlines():
        heading = re.match(r"^##\s+(.*\S)\s*$", line)
        if heading:
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = heading.group(1), []
        elif current is None:
            summary_lines.append(line)
        else:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return RuleDocs(summary=" ".join(s.strip() for s in summary_lines if s.strip()), sections=sections)


def _dedent(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc)


class Registry:
    """All known rules, by name and alias."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[str, Rule] = {}
        self._aliases: dict[str, str] = {}
        for rule in rules:
            self._add(rule)

    def _add(self, rule: Rule) -> None:
        if not NAME_RE.match(rule.name):
            raise ValueError(f"rule name {rule.name!r} is not kebab-case")
        for name in (rule.name, *rule.aliases, *([rule.code] if rule.code else [])):
            if name in self._rules or name in self._aliases:
                raise ValueError(f"rule name or alias {name!r} is declared twice")
        self._rules[rule.name] = rule
        for alias in (*rule.aliases, *([rule.code] if rule.code else [])):
            self._aliases[alias] = rule.name

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: (r.category.value, r.name)))

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.resolve(name) is not None

    def resolve(self, name: str) -> str | None:
        """The canonical name of a rule name, alias or code; None if unknown."""
        if name in self._rules:
            return name
        return self._aliases.get(name)

    def get(self, name: str) -> Rule:
        canonical = self.resolve(name)
        if canonical is None:
            raise InputError(f"unknown rule {name!r} (see `dbexpert rules`)")
        return self._rules[canonical]

    def select(self, selectors: Iterable[str]) -> set[str]:
        """Rule names matched by names, aliases, codes, categories or "ALL"; unknown selectors are errors."""
        chosen: set[str] = set()
        categories = {c.value for c in Category}
        for selector in selectors:
            if selector.upper() == "ALL":
                chosen.update(self._rules)
            elif selector in categories:
                chosen.update(r.name for r in self._rules.values() if r.category.value == selector)
            else:
                chosen.add(self.get(selector).name)
        return chosen


def _discover(packages: Iterable[str]) -> Iterator[Rule]:
    for package_name in packages:
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package_name}.{info.name}")
            rule = getattr(module, "RULE", None)
            if isinstance(rule, Rule):
                yield rule


@cache
def registry() -> Registry:
    """The registry of every rule shipped with dbexpert."""
    return Registry(_discover(RULE_PACKAGES))
