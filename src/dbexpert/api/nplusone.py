"""``nplusone``: queries an ORM runs once per item of a loop, found statically in application code."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from dbexpert.api.config import Config, enabled_rules, rule_options, validate
from dbexpert.model import Finding, InputError
from dbexpert.report import ReportData
from dbexpert.rules.context import run_code_rules
from dbexpert.rules.registry import Registry, registry
from dbexpert.sources.code import ScanProgress, scan_paths


@dataclass(frozen=True, slots=True)
class NPlusOneResult:
    findings: tuple[Finding, ...]
    target: str
    files: int
    problems: tuple[str, ...] = ()
    seconds: float = 0.0

    def report(self) -> ReportData:
        summary = {"mode": "static", "files": self.files, "seconds": round(self.seconds, 3)}
        return ReportData(
            command="nplusone",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            problems=self.problems,
        )


def find_nplusone(
    paths: list[Path],
    config: Config | None = None,
    rules: Registry | None = None,
    progress: ScanProgress | None = None,
) -> NPlusOneResult:
    """Scan Python and TypeScript files and folders for N+1 query sites.

    ``progress`` is called as (file, files done, files in all) after each file is scanned.
    """
    config = config or Config()
    rules = rules or registry()
    validate(config, rules)
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    started = time.perf_counter()
    scan = scan_paths(paths, progress)
    findings = run_code_rules(scan.sites, enabled_rules(config, rules), rule_options(config, rules))
    findings.sort(key=lambda f: (f.location.path or "", f.location.line or 0, f.location.column or 0))
    return NPlusOneResult(
        findings=tuple(findings),
        target=", ".join(str(p) for p in paths),
        files=scan.files,
        problems=scan.problems,
        seconds=time.perf_counter() - started,
    )
