"""``query check``: application SQL checked for anti-patterns, each finding with its rewrite.

The catalog that catalog-aware rules consult comes from ``--schema`` (a live database or DDL files)
and from any DDL in the checked text itself; without either, the rules judge from the text alone
and say so.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from dbexpert.api.config import Config, enabled_rules, rule_options, validate
from dbexpert.engines import EngineSession, connect
from dbexpert.engines.url import is_url, parse_url
from dbexpert.model import Applicability, Catalog, Engine, Finding, InputError
from dbexpert.report import ReportData
from dbexpert.rules.context import run_query_rules
from dbexpert.rules.registry import Registry, registry
from dbexpert.sources.ddl import catalog_from_sql, guess_engine, load_ddl
from dbexpert.sql.parse import SqlSyntaxError

if TYPE_CHECKING:
    from dbexpert.sql.query.tree import Query


@dataclass(frozen=True, slots=True)
class QueryCheck:
    findings: tuple[Finding, ...]
    target: str
    engine: Engine
    queries: int  # statements checked
    statements: int  # statements read, DDL included
    problems: tuple[str, ...] = ()  # syntax errors and unreadable statements, one line each
    schema: str | None = None  # where the catalog came from
    seconds: float = 0.0

    def report(self) -> ReportData:
        notes: tuple[str, ...] = ()
        if self.schema is None:
            notes = (
                "no schema given: nullability, keys and columns are judged from the text (use --schema)",
            )
        summary = {
            "engine": str(self.engine),
            "mode": "static",
            "queries": self.queries,
            "statements": self.statements,
            "seconds": round(self.seconds, 3),
        }
        return ReportData(
            command="query check",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            problems=self.problems,
            notes=notes,
        )


def check_sql(
    text: str,
    path: str = "<stdin>",
    config: Config | None = None,
    schema: Catalog | None = None,
    rules: Registry | None = None,
    schema_name: str | None = None,
    verify: EngineSession | None = None,
) -> QueryCheck:
    """Check the statements of ``text``; DDL among them joins ``schema`` as what the rules know.

    With ``verify`` (a read-only session), every SELECT rewrite is run next to its original and the
    comparison goes into the finding's evidence (:mod:`dbexpert.api.query_verify`)."""
    from dbexpert.sql.query.tree import parse_queries  # sqlglot loads only when queries are checked

    config = config or Config()
    rules = rules or registry()
    validate(config, rules)
    started = time.perf_counter()
    engine = config.engine or (schema.engine if schema is not None else None) or guess_engine(text)
    parsed = parse_queries(text, engine, path)
    catalog = schema or Catalog(engine=engine, version=config.version_for(engine))
    if parsed.others and not catalog.tables:
        ddl = ";\n".join(statement.text for statement in parsed.others)
        catalog, schema_name = _inline_schema(ddl, engine, path, catalog, schema_name)
    findings = run_query_rules(
        parsed.queries, catalog, enabled_rules(config, rules), rule_options(config, rules)
    )
    findings.sort(key=lambda f: (f.location.path or "", f.location.line or 0, f.location.column or 0))
    problems = [*(str(e) for e in parsed.errors), *parsed.skipped]
    if verify is not None:
        findings = _verified(findings, parsed.queries, engine, verify, problems)
    return QueryCheck(
        findings=tuple(findings),
        target=path,
        engine=engine,
        queries=len(parsed.queries),
        statements=parsed.statements,
        problems=tuple(problems),
        schema=schema_name,
        seconds=time.perf_counter() - started,
    )


def _verified(
    findings: list[Finding],
    queries: Sequence[Query],
    engine: Engine,
    session: EngineSession,
    problems: list[str],
) -> list[Finding]:
    """Findings whose rewrite was run against its original on the database."""
    from dbexpert.api.query_verify import Verification, apply_verification, verify_rewrite
    from dbexpert.sql.query.tree import parse_queries

    checked: list[Finding] = []
    for finding in findings:
        query = _query_at(queries, finding)
        rewrite = finding.fix.sql if finding.fix is not None else None
        if (
            query is None
            or rewrite is None
            or finding.fix is None
            or finding.fix.applicability is Applicability.MANUAL
        ):
            checked.append(finding)
            continue
        parsed = parse_queries(rewrite, engine, "rewrite")
        if not query.runnable_select or len(parsed.queries) != 1 or not parsed.queries[0].runnable_select:
            verification = Verification(same_rows=None, reason="only SELECTs without parameters are run")
        else:
            verification = verify_rewrite(session, query.statement.text, rewrite, query.ordered)
        finding, problem = apply_verification(finding, verification)
        checked.append(finding)
        if problem:
            problems.append(problem)
    return checked


def _query_at(queries: Sequence[Query], finding: Finding) -> Query | None:
    """The statement a finding points into."""
    line, column = finding.location.line or 0, finding.location.column or 0
    for query in queries:
        statement = query.statement
        if (statement.line, statement.column) <= (line, column) <= (statement.end_line, statement.end_column):
            return query
    return None


def _inline_schema(
    text: str, engine: Engine, path: str, catalog: Catalog, name: str | None
) -> tuple[Catalog, str | None]:
    """The tables the text's own DDL creates, when it has any and parses."""
    try:
        inline = catalog_from_sql(text, engine, path=path, version=catalog.version)
    except SqlSyntaxError:
        return catalog, name
    return (inline, f"DDL in {path}") if inline.tables else (catalog, name)


def check_paths(
    sources: Sequence[str], config: Config | None = None, schema: str | None = None, verify: str | None = None
) -> QueryCheck:
    """Check SQL files or folders (``*.sql``), or ``-`` for stdin, against an optional schema; with
    ``verify`` (a database URL), run each SELECT rewrite next to its original there."""
    if verify is None:
        return _check_paths(sources, config or Config(), schema, None)
    with connect(parse_url(verify) if is_url(verify) else verify) as session:
        return _check_paths(sources, config or Config(), schema, session)


def _check_paths(
    sources: Sequence[str], config: Config, schema: str | None, session: EngineSession | None
) -> QueryCheck:
    import sys

    catalog = load_schema(schema, config) if schema else None
    results: list[QueryCheck] = []
    for source in sources:
        if source == "-":
            results.append(
                check_sql(sys.stdin.read(), "<stdin>", config, catalog, None, _shown(schema), session)
            )
            continue
        for file in _sql_files(Path(source)):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{file}: cannot read: {exc}") from None
            results.append(check_sql(text, str(file), config, catalog, None, _shown(schema), session))
    if not results:
        raise InputError(f"{', '.join(sources)}: no .sql files to check")
    first = results[0]
    return replace(
        first,
        findings=tuple(f for r in results for f in r.findings),
        target=", ".join(sources),
        queries=sum(r.queries for r in results),
        statements=sum(r.statements for r in results),
        problems=tuple(p for r in results for p in r.problems),
        seconds=sum(r.seconds for r in results),
    )


def load_schema(schema: str, config: Config) -> Catalog:
    """The catalog of a live database (URL or SQLite file) or of DDL files and folders."""
    if is_url(schema) or schema.endswith((".db", ".sqlite", ".sqlite3")):
        with connect(parse_url(schema) if is_url(schema) else schema) as session:
            return session.introspect()
    path = Path(schema)
    if not path.exists():
        raise InputError(f"--schema {schema}: no such file or directory (and not a database URL)")
    loaded = load_ddl([path], config.engine, config.version_for(config.engine) if config.engine else None)
    if loaded.problems:
        raise InputError(str(loaded.problems[0]))
    return loaded.catalog


def _shown(schema: str | None) -> str | None:
    if schema is None:
        return None
    return parse_url(schema).redacted() if is_url(schema) else schema


def _sql_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*.sql") if p.is_file())
    raise InputError(f"{path}: no such file or directory")
