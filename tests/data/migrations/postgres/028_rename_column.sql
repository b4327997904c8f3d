-- expect: unsafe rename-column
SET lock_timeout = '2s';
ALTER TABLE products RENAME COLUMN descr TO description;
