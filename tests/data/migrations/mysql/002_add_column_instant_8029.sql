-- expect: safe
-- version: 8.0.29
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL, ALGORITHM=INSTANT;
