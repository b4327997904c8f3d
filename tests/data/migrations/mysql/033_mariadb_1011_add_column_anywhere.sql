-- expect: safe
-- engine: mariadb 10.11
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL AFTER customer_id;
