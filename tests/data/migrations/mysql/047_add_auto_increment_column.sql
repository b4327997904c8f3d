-- expect: unsafe mysql-alter-copies-table
ALTER TABLE legacy_logs ADD COLUMN seq BIGINT NOT NULL AUTO_INCREMENT UNIQUE;
