-- expect: unsafe rename-column
ALTER TABLE products RENAME COLUMN descr TO description;
