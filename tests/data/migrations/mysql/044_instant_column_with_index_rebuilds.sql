-- expect: unsafe mysql-alter-rebuilds-table
-- version: 8.0.29
ALTER TABLE orders ADD COLUMN region VARCHAR(8) NULL, ADD INDEX orders_region_idx (region);
