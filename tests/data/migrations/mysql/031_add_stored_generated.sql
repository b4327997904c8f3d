-- expect: unsafe mysql-alter-copies-table
ALTER TABLE people ADD COLUMN full_name VARCHAR(200) AS (CONCAT(first_name, ' ', last_name)) STORED;
