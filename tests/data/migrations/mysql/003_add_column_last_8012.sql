-- expect: safe
-- version: 8.0.12
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL;
