"""Configuration: ``[tool.dbexpert]`` in pyproject.toml or a ``dbexpert.toml``, merged with CLI flags.

```toml
[tool.dbexpert]
select = ["ALL"]                 # rule names, codes, categories or "ALL"; default: rules on by default
ignore = ["varchar-instead-of-text"]
fail-on = "warning"              # error | warning | info | never
engine = "postgres"              # dialect of DDL files when it cannot be told
pg-version = "15"
mysql-version = "8.0"

[tool.dbexpert.per-path-ignores]
"migrations/legacy/*.sql" = ["table-without-primary-key"]

[tool.dbexpert.thresholds.sequence-near-max]
warning-percent = 60
```
Unknown keys, rule names and threshold names are errors, never silently ignored.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.model import Engine, InputError, Severity, Version
from dbexpert.rules.registry import Registry, Rule

_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "fail-on",
    "engine",
    "pg-version",
    "mysql-version",
    "per-path-ignores",
    "thresholds",
}


@dataclass(frozen=True, slots=True)
class Config:
    select: tuple[str, ...] = ()  # empty: the rules enabled by default
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_path_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    fail_on: Severity | None = Severity.ERROR  # None: never fail on findings
    fail_on_given: bool = False  # set by the file or a flag, rather than the default
    engine: Engine | None = None
    pg_version: Version | None = None
    mysql_version: Version | None = None
    source: Path | None = None  # the file it came from

    def version_for(self, engine: Engine) -> Version | None:
        return {Engine.POSTGRES: self.pg_version, Engine.MYSQL: self.mysql_version}.get(engine)

    def where(self) -> str:
        return str(self.source) if self.source else "configuration"


def find_config_file(start: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The nearest dbexpert.toml, or pyproject.toml with a [tool.dbexpert] table, from ``start`` upwards."""
    for folder in (start, *start.parents):
        own = folder / "dbexpert.toml"
        if own.is_file():
            data = _read_toml(own)
            return own, data.get("tool", {}).get("dbexpert", data)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            section = _read_toml(pyproject).get("tool", {}).get("dbexpert")
            if section is not None:
                return pyproject, section
    return None


def load_config(explicit: Path | None = None, start: Path | None = None) -> Config:
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"{explicit}: no such configuration file")
        data = _read_toml(explicit)
        section = data.get("tool", {}).get("dbexpert", data if explicit.name != "pyproject.toml" else {})
        return parse_config(section, explicit)
    found = find_config_file(start or Path.cwd())
    if found is None:
        return Config()
    return parse_config(found[1], found[0])


def parse_config(section: Mapping[str, Any], source: Path | None = None) -> Config:
    where = str(source) if source else "configuration"
    unknown = set(section) - _KEYS
    if unknown:
        raise InputError(f"{where}: unknown [tool.dbexpert] key(s): {', '.join(sorted(unknown))}")
    per_path = section.get("per-path-ignores", {})
    thresholds = section.get("thresholds", {})
    if not isinstance(per_path, dict) or not isinstance(thresholds, dict):
        raise InputError(f"{where}: per-path-ignores and thresholds must be tables")
    return Config(
        select=_names(section, "select", where),
        extend_select=_names(section, "extend-select", where),
        ignore=_names(section, "ignore", where),
        per_path_ignores=MappingProxyType(
            {str(k): _list(v, f"per-path-ignores.{k}", where) for k, v in per_path.items()}
        ),
        thresholds=MappingProxyType({str(k): MappingProxyType(dict(v)) for k, v in thresholds.items()}),
        fail_on=parse_fail_on(section.get("fail-on", "error"), where),
        fail_on_given="fail-on" in section,
        engine=parse_engine(section["engine"], where) if "engine" in section else None,
        pg_version=_version(section, "pg-version", where),
        mysql_version=_version(section, "mysql-version", where),
        source=source,
    )


def with_overrides(
    config: Config,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    fail_on: str | None = None,
    engine: str | None = None,
    pg_version: str | None = None,
    mysql_version: str | None = None,
) -> Config:
    """Command-line flags win over the file."""
    changes: dict[str, Any] = {}
    if select:
        changes["select"] = tuple(_split(select))
        changes["extend_select"] = ()
    if ignore:
        changes["ignore"] = config.ignore + tuple(_split(ignore))
    if fail_on is not None:
        changes["fail_on"] = parse_fail_on(fail_on, "--fail-on")
        changes["fail_on_given"] = True
    if engine is not None:
        changes["engine"] = parse_engine(engine, "--engine")
    if pg_version is not None:
        changes["pg_version"] = _parse_version(pg_version, "--pg-version")
    if mysql_version is not None:
        changes["mysql_version"] = _parse_version(mysql_version, "--mysql-version")
    return replace(config, **changes)


def validate(config: Config, registry: Registry) -> None:
    """Every rule name and threshold must exist: a typo must not silently switch a check off."""
    for key, names in (
        ("select", config.select),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
    ):
        _check_names(registry, names, f"{config.where()}: {key}")
    for pattern, names in config.per_path_ignores.items():
        _check_names(registry, names, f"{config.where()}: per-path-ignores {pattern!r}")
    for rule_name, values in config.thresholds.items():
        rule = _known(registry, rule_name, f"{config.where()}: thresholds")
        for option in values:
            if _option_key(option) not in rule.options:
                allowed = ", ".join(k.replace("_", "-") for k in rule.options) or "none"
                raise InputError(
                    f"{config.where()}: unknown threshold {option!r} for rule {rule.name} (allowed: {allowed})"
                )


def enabled_rules(config: Config, registry: Registry) -> list[Rule]:
    if config.select:
        names = registry.select(config.select)
    else:
        names = {rule.name for rule in registry if rule.enabled}
    names |= registry.select(config.extend_select)
    names -= registry.select(config.ignore)
    return [registry.get(name) for name in sorted(names)]


def rule_options(config: Config, registry: Registry) -> dict[str, dict[str, Any]]:
    """Threshold overrides by canonical rule name, keys normalized to the rules' option names."""
    options: dict[str, dict[str, Any]] = {}
    for rule_name, values in config.thresholds.items():
        canonical = registry.get(rule_name).name
        options[canonical] = {_option_key(k): v for k, v in values.items()}
    return options


def ignored_for_path(config: Config, registry: Registry, path: str | None) -> set[str]:
    if not path:
        return set()
    ignored: set[str] = set()
    for pattern, names in config.per_path_ignores.items():
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(Path(path).as_posix(), pattern):
            ignored |= registry.select(names)
    return ignored


def parse_fail_on(value: object, where: str) -> Severity | None:
    text = str(value).lower()
    if text == "never":
        return None
    try:
        return Severity(text)
    except ValueError:
        raise InputError(f"{where}: fail-on must be error, warning, info or never (got {value!r})") from None


def parse_engine(value: object, where: str) -> Engine:
    text = str(value).lower()
    aliases = {"postgresql": "postgres", "pg": "postgres", "mariadb": "mysql"}
    try:
        return Engine(aliases.get(text, text))
    except ValueError:
        choices = ", ".join(e.value for e in Engine)
        raise InputError(f"{where}: unknown engine {value!r} (choose from {choices})") from None


def _option_key(name: str) -> str:
    return name.replace("-", "_")


def _check_names(registry: Registry, names: Iterable[str], where: str) -> None:
    registry_names = set(names)
    try:
        registry.select(registry_names)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _known(registry: Registry, name: str, where: str) -> Rule:
    try:
        return registry.get(name)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _names(section: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    return _list(section.get(key, []), key, where)


def _list(value: object, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: {key} must be a list of rule names")
    return tuple(value)


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _version(section: Mapping[str, Any], key: str, where: str) -> Version | None:
    return _parse_version(str(section[key]), f"{where}: {key}") if key in section else None


def _parse_version(text: str, where: str) -> Version:
    try:
        return Version.parse(text)
    except ValueError:
        raise InputError(f"{where}: not a version: {text!r}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
