-- expect: unsafe mysql-alter-locks-table
-- version: 8.0.11
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL, ALGORITHM=INSTANT;
