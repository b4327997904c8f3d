-- expect: clean
-- engine: mysql
-- schema: p_accounts_mysql.sql
SELECT id, email FROM accounts WHERE phone = '5551234' OR id = 5551234;
