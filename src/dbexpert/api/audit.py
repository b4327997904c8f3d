"""``audit``: build a catalog from a live database or from DDL files, run the schema rules, filter.

The CLI is a thin layer over :func:`audit`; anyone can call it from Python.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.api.config import Config, enabled_rules, ignored_for_path, rule_options, validate
from dbexpert.engines import SessionOptions, connect, read_health
from dbexpert.engines.url import is_sqlite_file, is_url, parse_url
from dbexpert.model import Catalog, Finding, InputError
from dbexpert.report import ReportData
from dbexpert.rules.context import run_health_rules, run_rules
from dbexpert.rules.registry import Registry, Target, registry
from dbexpert.sources.ddl import load_ddl
from dbexpert.sources.orm import OrmSchema, find_orm_schema
from dbexpert.sources.suppress import CODE_COMMENT, Suppression, is_suppressed, parse_code_suppressions


@dataclass(frozen=True, slots=True)
class AuditResult:
    catalog: Catalog
    findings: tuple[Finding, ...]
    target: str  # redacted
    mode: str  # "live" | "static"
    problems: tuple[str, ...] = ()
    round_trips: int | None = None
    seconds: float = 0.0
    suppressed: int = 0
    notes: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def report(self) -> ReportData:
        version = f" {self.catalog.version}" if self.catalog.version else ""
        summary: dict[str, Any] = {
            "engine": f"{self.catalog.flavor or self.catalog.engine.value}{version}",
            "mode": self.mode,
            "tables": len(self.catalog.tables),
            "suppressed": self.suppressed,
            "seconds": round(self.seconds, 3),
        }
        if self.round_trips is not None:
            summary["round_trips"] = self.round_trips
        summary.update(self.facts)
        return ReportData(
            command="audit",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            problems=self.problems,
            notes=self.notes,
        )


def is_live_target(target: str) -> bool:
    return is_url(target) or is_sqlite_file(target)


def audit(targets: Sequence[str], config: Config | None = None, rules: Registry | None = None) -> AuditResult:
    """Audit one live database (a URL or a SQLite file), a Prisma schema, or a set of DDL files and folders."""
    config = config or Config()
    rules = rules or registry()
    validate(config, rules)
    if not targets:
        raise InputError("nothing to audit: give a database URL, a SQLite file, or DDL files/folders")
    live = [t for t in targets if is_live_target(t)]
    if live and len(targets) > 1:
        raise InputError("audit one live database at a time, or DDL files/folders (not both)")
    started = time.perf_counter()
    if live:
        return _audit_live(live[0], config, rules, started)
    schema = find_orm_schema(Path(targets[0])) if len(targets) == 1 else None
    if schema is not None:
        return _audit_orm(schema, config, rules, started)
    return _audit_files([Path(t) for t in targets], config, rules, started)


def _audit_live(target: str, config: Config, rules: Registry, started: float) -> AuditResult:
    url = parse_url(target)
    enabled, options = enabled_rules(config, rules), rule_options(config, rules)
    with connect(url, SessionOptions()) as session:
        catalog = session.introspect()
        findings = run_rules(catalog, enabled, options, session.probe)
        unavailable: dict[str, str] = {}
        if any(rule.target is Target.HEALTH for rule in enabled):
            snapshot = read_health(session)
            findings += run_health_rules(snapshot, catalog, enabled, options)
            unavailable = dict(snapshot.unavailable)
        trips = session.round_trips
    return AuditResult(
        catalog=catalog,
        findings=tuple(findings),
        target=url.redacted(),
        mode="live",
        round_trips=trips,
        seconds=time.perf_counter() - started,
        notes=(
            *_live_notes(catalog),
            *(f"health: {name} not checked: {why}" for name, why in unavailable.items()),
        ),
    )


def _live_notes(catalog: Catalog) -> tuple[str, ...]:
    skipped = catalog.attrs.get("skipped_tables") or ()
    if not skipped:
        return ()
    return (
        f"not audited, another session holds an ACCESS EXCLUSIVE lock (a migration?): {', '.join(skipped)}",
    )


def _audit_files(paths: list[Path], config: Config, rules: Registry, started: float) -> AuditResult:
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory (and not a database URL)")
    version = config.version_for(config.engine) if config.engine else None
    loaded = load_ddl(paths, config.engine, version)
    catalog = loaded.catalog
    if version is None and config.version_for(catalog.engine) is not None:
        catalog = replace(catalog, version=config.version_for(catalog.engine))
    findings = run_rules(catalog, enabled_rules(config, rules), rule_options(config, rules))
    suppressions, unknown = _canonical_suppressions(loaded.suppressions, rules)
    kept, suppressed = _filter(findings, suppressions, config, rules)
    return AuditResult(
        catalog=catalog,
        findings=tuple(kept),
        target=", ".join(str(p) for p in paths),
        mode="static",
        problems=(*(str(p) for p in loaded.problems), *unknown),
        seconds=time.perf_counter() - started,
        suppressed=suppressed,
        facts=MappingProxyType({"files": len(loaded.files)}),
    )


def _audit_orm(schema: OrmSchema, config: Config, rules: Registry, started: float) -> AuditResult:
    """An ORM's schema, read into the catalog the ORM would create (static mode)."""
    catalog = schema.catalog
    if config.version_for(catalog.engine) is not None:
        catalog = replace(catalog, version=config.version_for(catalog.engine))
    findings = run_rules(catalog, enabled_rules(config, rules), rule_options(config, rules))
    suppressions, unknown = _canonical_suppressions(_code_suppressions(schema.files), rules)
    kept, suppressed = _filter(findings, suppressions, config, rules)
    return AuditResult(
        catalog=catalog,
        findings=tuple(kept),
        target=", ".join(str(p) for p in schema.files),
        mode="static",
        problems=(*schema.problems, *unknown),
        seconds=time.perf_counter() - started,
        suppressed=suppressed,
        facts=MappingProxyType({"files": len(schema.files), "orm": schema.orm}),
    )


def _code_suppressions(files: Sequence[Path]) -> dict[str, tuple[Suppression, ...]]:
    """``// dbexpert: ignore[rule]`` (``#`` in Python) comments of ORM source files, by path."""
    found: dict[str, tuple[Suppression, ...]] = {}
    for file in files:
        mark = CODE_COMMENT.get(file.suffix)
        if mark is None:
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the reader already reported it
        found[str(file)] = parse_code_suppressions(text, mark)
    return found


def _canonical_suppressions(
    suppressions: Mapping[str, Sequence[Suppression]], rules: Registry
) -> tuple[dict[str, tuple[Suppression, ...]], list[str]]:
    """Suppressions with aliases and codes resolved to rule names; unknown names are reported, not ignored."""
    canonical: dict[str, tuple[Suppression, ...]] = {}
    unknown: list[str] = []
    for path, items in suppressions.items():
        resolved = []
        for item in items:
            names = set()
            for name in sorted(item.rules):
                rule = rules.resolve(name)
                if rule is None:
                    unknown.append(f"{path}:{item.line}: unknown rule {name!r} in a dbexpert: ignore comment")
                else:
                    names.add(rule)
            resolved.append(replace(item, rules=frozenset(names)))
        canonical[path] = tuple(resolved)
    return canonical, unknown


def _filter(
    findings: Sequence[Finding],
    suppressions: Mapping[str, Sequence[Suppression]],
    config: Config,
    rules: Registry,
) -> tuple[list[Finding], int]:
    """Drop findings silenced inline (``-- dbexpert: ignore[rule]``) or by per-path ignores."""
    kept: list[Finding] = []
    for finding in findings:
        path = finding.location.path
        if path and is_suppressed(tuple(suppressions.get(path, ())), finding.rule, finding.location.line):
            continue
        if finding.rule in ignored_for_path(config, rules, path):
            continue
        kept.append(finding)
    return kept, len(findings) - len(kept)
