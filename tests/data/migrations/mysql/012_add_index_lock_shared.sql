-- expect: unsafe mysql-alter-locks-table
ALTER TABLE orders ADD INDEX orders_status_idx (status), LOCK=SHARED;
