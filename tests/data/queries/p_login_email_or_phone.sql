-- expect: or-across-columns
-- schema: p_accounts.sql
SELECT id, email FROM accounts WHERE email = $1 OR phone = $1;
