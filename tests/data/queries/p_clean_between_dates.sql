-- expect: clean
-- schema: p_accounts.sql
SELECT id, amount FROM invoices WHERE issued_on BETWEEN '2024-03-01' AND '2024-03-31' ORDER BY issued_on;
