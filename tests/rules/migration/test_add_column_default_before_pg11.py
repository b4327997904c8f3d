from dbexpert.model import Version
from tests.rules.migration_helpers import lint

RULE = "add-column-with-default-before-pg11"
SQL = "ALTER TABLE users ADD COLUMN is_vip boolean NOT NULL DEFAULT false;"


def test_constant_default_before_pg11_fires_with_the_split_sequence():
    [finding] = lint(SQL, RULE, version=Version(10))
    assert finding.evidence["rewrite"] is True and finding.evidence["lock"] == "ACCESS EXCLUSIVE"
    assert finding.location.object == "public.users"
    sql = finding.fix.sql
    assert sql.startswith("ALTER TABLE users ADD COLUMN is_vip boolean;\n")
    assert "ALTER TABLE users ALTER COLUMN is_vip SET DEFAULT false;" in sql.replace("FALSE", "false")
    assert "UPDATE users SET is_vip = false WHERE id > :last_id" in sql.replace("FALSE", "false")
    assert "CHECK (is_vip IS NOT NULL) NOT VALID" in sql
    assert "SET NOT NULL" not in sql  # before 12 SET NOT NULL scans even with a CHECK


def test_pg11_and_later_store_the_default_in_the_catalog():
    assert lint(SQL, RULE, version=Version(11)) == []
    assert lint(SQL, RULE, version=Version(15)) == []


def test_no_default_null_default_and_new_tables_are_clean_before_pg11():
    v10 = Version(10)
    assert lint("ALTER TABLE users ADD COLUMN note text;", RULE, version=v10) == []
    assert lint("ALTER TABLE users ADD COLUMN note text DEFAULT NULL;", RULE, version=v10) == []
    assert (
        lint("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int DEFAULT 0;", RULE, version=v10) == []
    )


def test_volatile_defaults_are_left_to_their_own_rule():
    sql = "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();"
    assert lint(sql, RULE, version=Version(10)) == []
