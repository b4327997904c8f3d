-- expect: unsafe mysql-alter-copies-table
-- engine: mariadb 10.11
ALTER TABLE events MODIFY payload MEDIUMTEXT;
