-- expect: unsafe mysql-alter-locks-table
-- version: 8.0.35
ALTER TABLE orders ADD INDEX orders_placed_idx (placed_at), ALGORITHM=NOCOPY;
