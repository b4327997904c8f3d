-- expect: unsafe rename-column
-- version: 5.7
ALTER TABLE products CHANGE descr description TEXT NULL;
