-- expect: unsafe mysql-alter-copies-table
ALTER TABLE events MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT;
