-- expect: unsafe mysql-alter-copies-table
-- The column is not defined in the files: MODIFY may change its type, which copies the table.
ALTER TABLE customers MODIFY email VARCHAR(191) NOT NULL;
