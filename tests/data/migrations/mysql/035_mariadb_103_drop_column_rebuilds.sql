-- expect: unsafe drop-column, mysql-alter-rebuilds-table
-- engine: mariadb 10.3
ALTER TABLE orders DROP COLUMN legacy_flag;
