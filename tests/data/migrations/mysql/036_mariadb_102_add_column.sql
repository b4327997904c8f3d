-- expect: unsafe mysql-alter-rebuilds-table
-- engine: mariadb 10.2
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL;
