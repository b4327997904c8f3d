from tests.rules.migration_helpers import lint

RULE = "validate-in-same-transaction"
ADD = "ALTER TABLE orders ADD CONSTRAINT orders_amount_pos CHECK (amount >= 0) NOT VALID;"
VALIDATE = "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_pos;"


def test_validate_after_not_valid_in_one_explicit_transaction_fires():
    [finding] = lint(f"BEGIN;\n{ADD}\n{VALIDATE}\nCOMMIT;", RULE)
    assert finding.evidence["lock"] == "ACCESS EXCLUSIVE" and finding.location.line == 3
    assert finding.evidence["added_not_valid_in_this_transaction"] is True
    assert finding.fix.sql.startswith("COMMIT;") and finding.fix.sql.endswith(VALIDATE)


def test_the_tools_transaction_counts_and_the_fix_moves_validate_to_the_next_migration():
    [finding] = lint(f"{ADD}\n{VALIDATE}", RULE, transactional=True)
    assert finding.fix.sql.startswith("-- move to the next migration")


def test_validate_while_another_alter_holds_a_strong_lock_fires():
    sql = f"BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n{VALIDATE}\nCOMMIT;"
    [finding] = lint(sql, RULE)
    assert finding.evidence["added_not_valid_in_this_transaction"] is False


def test_validate_alone_or_after_a_commit_is_clean():
    assert lint(VALIDATE, RULE) == []
    assert lint(VALIDATE, RULE, transactional=True) == []
    assert lint(f"{ADD}\n{VALIDATE}", RULE) == []
    assert lint(f"BEGIN;\n{ADD}\nCOMMIT;\n{VALIDATE}", RULE) == []


def test_weak_locks_held_do_not_count():
    sql = f"BEGIN;\nCREATE INDEX CONCURRENTLY i ON orders (amount);\nUPDATE orders SET amount = 0 WHERE id = 1;\n{VALIDATE}\nCOMMIT;"
    assert lint(sql, RULE) == []
