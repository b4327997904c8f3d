from pathlib import Path

import pytest

from dbexpert.api.config import (
    Config,
    enabled_rules,
    ignored_for_path,
    load_config,
    parse_config,
    rule_options,
    validate,
    with_overrides,
)
from dbexpert.model import Engine, InputError, Severity, Version
from dbexpert.rules.registry import registry


def test_defaults_enable_rules_that_are_on_by_default():
    names = {r.name for r in enabled_rules(Config(), registry())}
    assert "table-without-primary-key" in names
    assert names == {r.name for r in registry() if r.enabled}


def test_pyproject_section_is_found_upwards(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dbexpert]\nignore = ["table-without-primary-key"]\nfail-on = "warning"\npg-version = "13"\n'
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = load_config(start=nested)
    assert config.ignore == ("table-without-primary-key",)
    assert config.fail_on is Severity.WARNING
    assert config.pg_version == Version(13)
    assert "table-without-primary-key" not in {r.name for r in enabled_rules(config, registry())}


def test_dbexpert_toml_wins_over_pyproject(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.dbexpert]\nfail-on = "info"\n')
    (tmp_path / "dbexpert.toml").write_text('fail-on = "never"\nengine = "mariadb"\n')
    config = load_config(start=tmp_path)
    assert config.fail_on is None and config.engine is Engine.MYSQL


@pytest.mark.parametrize(
    "section",
    [
        {"ignore": ["no-such-rule"]},
        {"select": ["table-without-primery-key"]},
        {"per-path-ignores": {"legacy/*.sql": ["nope"]}},
        {"thresholds": {"nope": {"x": 1}}},
        {"thresholds": {"table-without-primary-key": {"unknown-threshold": 1}}},
    ],
)
def test_unknown_rule_names_and_thresholds_are_errors(section):
    config = parse_config(section, Path("pyproject.toml"))
    with pytest.raises(InputError, match="pyproject.toml"):
        validate(config, registry())


@pytest.mark.parametrize(
    "section",
    [
        {"colour": "red"},
        {"fail-on": "sometimes"},
        {"engine": "oracle"},
        {"pg-version": "latest"},
        {"ignore": 3},
    ],
)
def test_malformed_config_is_an_error(section):
    with pytest.raises(InputError):
        parse_config(section, Path("dbexpert.toml"))


def test_invalid_toml_is_a_clean_error(tmp_path: Path):
    bad = tmp_path / "dbexpert.toml"
    bad.write_text("ignore = [\n")
    with pytest.raises(InputError, match="invalid TOML"):
        load_config(bad)


def test_command_line_overrides_and_categories():
    config = with_overrides(
        Config(), select=["design"], ignore=["table-without-primary-key"], fail_on="never"
    )
    names = {r.name for r in enabled_rules(config, registry())}
    assert "table-without-primary-key" not in names
    assert all(registry().get(n).category.value == "design" for n in names)
    assert config.fail_on is None


def test_per_path_ignores_match_globs():
    config = parse_config({"per-path-ignores": {"legacy/*.sql": ["table-without-primary-key"]}})
    assert ignored_for_path(config, registry(), "legacy/v1.sql") == {"table-without-primary-key"}
    assert ignored_for_path(config, registry(), "current/v1.sql") == set()


def test_threshold_keys_accept_kebab_case():
    rule = next(r for r in registry() if r.options)
    option = next(iter(rule.options))
    config = parse_config({"thresholds": {rule.name: {option.replace("_", "-"): 42}}})
    validate(config, registry())
    assert rule_options(config, registry())[rule.name][option] == 42
