-- expect: between-timestamps
-- schema: p_accounts.sql
SELECT id, amount FROM invoices WHERE paid_at BETWEEN $1 AND $2 ORDER BY paid_at;
