from tests.rules.migration_helpers import lint

RULE = "add-primary-key-without-index"


def test_primary_key_on_an_unknown_table_fires_and_proves_not_null_first():
    [finding] = lint("ALTER TABLE audit ADD PRIMARY KEY (id);", RULE)
    lines = finding.fix.sql.splitlines()
    assert lines[0] == "ALTER TABLE audit ADD CONSTRAINT audit_id_not_null CHECK (id IS NOT NULL) NOT VALID;"
    assert lines[-2:] == [
        "CREATE UNIQUE INDEX CONCURRENTLY audit_pkey ON audit (id);",
        "ALTER TABLE audit ADD CONSTRAINT audit_pkey PRIMARY KEY USING INDEX audit_pkey;",
    ]
    assert finding.evidence["columns_known"] is False and "NOT NULL" in finding.message


def test_known_not_null_columns_skip_the_check_steps():
    sql = "CREATE TABLE audit (id bigint NOT NULL, payload text);\nCOMMIT;"
    # The table is created in another migration: lint the ALTER with the CREATE as prior history.
    from dbexpert.api.config import Config
    from dbexpert.api.migrations import lint_migrations
    from dbexpert.model.migration import Migration, MigrationScript

    first = Migration(id="1", tool="sql", up=MigrationScript("1.sql", sql), transactional=False)
    second = Migration(
        id="2",
        tool="sql",
        up=MigrationScript("2.sql", "ALTER TABLE audit ADD CONSTRAINT audit_pk PRIMARY KEY (id);"),
        transactional=False,
    )
    result = lint_migrations([first, second], Config(select=(RULE,)))
    [finding] = [f for f in result.findings if f.rule == RULE]
    assert finding.evidence["nullable_columns"] == [] and "CHECK" not in finding.fix.sql
    assert finding.fix.sql.endswith("ADD CONSTRAINT audit_pk PRIMARY KEY USING INDEX audit_pk;")


def test_before_pg12_the_check_replaces_set_not_null():
    from dbexpert.model import Version

    [finding] = lint("ALTER TABLE audit ADD PRIMARY KEY (id);", RULE, version=Version(11))
    assert "SET NOT NULL" not in finding.fix.sql


def test_using_index_and_new_tables_are_clean():
    assert (
        lint("ALTER TABLE audit ADD CONSTRAINT audit_pkey PRIMARY KEY USING INDEX audit_id_uq;", RULE) == []
    )
    assert lint("CREATE TABLE t (id int);\nALTER TABLE t ADD PRIMARY KEY (id);", RULE) == []
