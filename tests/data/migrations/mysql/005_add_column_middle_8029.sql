-- expect: safe
-- version: 8.0.29
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL AFTER customer_id;
