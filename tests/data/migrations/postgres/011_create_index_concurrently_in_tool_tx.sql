-- expect: unsafe concurrently-in-transaction
-- transaction: tool
CREATE INDEX CONCURRENTLY payments_account_idx ON payments (account_id);
