-- expect: unsafe explicit-lock-table
BEGIN;
LOCK TABLE ledger_entries IN ACCESS EXCLUSIVE MODE;
INSERT INTO ledger_entries (account_id, amount) VALUES (1, 0);
COMMIT;
