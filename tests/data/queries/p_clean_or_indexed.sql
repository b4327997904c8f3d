-- expect: clean
-- schema: p_accounts.sql
SELECT id, email FROM accounts WHERE email = $1 OR username = $1;
