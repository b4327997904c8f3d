from tests.rules.migration_helpers import lint

RULE = "add-foreign-key-without-not-valid"
FK = "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"


def test_validated_foreign_key_on_an_existing_table_fires_with_not_valid_then_validate():
    [finding] = lint(FK + " ON DELETE CASCADE;", RULE)
    assert finding.fix.sql == (
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"
        " ON DELETE CASCADE NOT VALID;\n"
        "-- in a separate transaction (autocommit, or the next migration):\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;"
    )
    assert finding.evidence["lock"] == "SHARE ROW EXCLUSIVE"
    assert finding.evidence["tables"] == ["public.orders", "public.users"]


def test_unnamed_foreign_key_gets_postgres_default_name():
    [finding] = lint("ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;", RULE)
    assert "VALIDATE CONSTRAINT orders_user_id_fkey;" in finding.fix.sql


def test_not_valid_create_table_and_new_tables_are_clean():
    assert lint(FK + " NOT VALID;", RULE) == []
    assert lint("CREATE TABLE c (id int, user_id bigint REFERENCES users (id));", RULE) == []
    assert (
        lint(
            "CREATE TABLE orders2 (id int, user_id bigint);\n" + FK.replace("orders ", "orders2 ") + ";", RULE
        )
        == []
    )


def test_inline_reference_on_a_new_column_without_default_is_clean():
    assert lint("ALTER TABLE orders ADD COLUMN referrer_id bigint REFERENCES users (id);", RULE) == []
    assert (
        lint("ALTER TABLE orders ADD COLUMN referrer_id bigint DEFAULT NULL REFERENCES users (id);", RULE)
        == []
    )


def test_inline_reference_with_a_default_scans_and_fires():
    [finding] = lint(
        "ALTER TABLE orders ADD COLUMN referrer_id bigint DEFAULT 1 REFERENCES users (id);", RULE
    )
    assert finding.fix.sql.splitlines()[:2] == [
        "ALTER TABLE orders ADD COLUMN referrer_id bigint DEFAULT 1;",
        "ALTER TABLE orders ADD CONSTRAINT orders_referrer_id_fkey FOREIGN KEY (referrer_id)"
        " REFERENCES users (id) NOT VALID;",
    ]


def test_separate_foreign_key_on_a_column_added_earlier_still_scans():
    sql = "ALTER TABLE orders ADD COLUMN user_id bigint;\n" + FK + ";"
    [finding] = lint(sql, RULE)
    assert finding.evidence["column_added_in_this_migration"] is True and finding.location.line == 2
