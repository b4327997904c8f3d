-- expect: safe
SET lock_timeout = '2s';
CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(10, 2));
ALTER TABLE prices ALTER COLUMN amount TYPE numeric(12, 2);
