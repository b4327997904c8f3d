-- expect: unsafe mysql-alter-rebuilds-table
-- version: 5.7
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL, ALGORITHM=INPLACE, LOCK=NONE;
