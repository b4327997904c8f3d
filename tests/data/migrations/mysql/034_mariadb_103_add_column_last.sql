-- expect: safe
-- engine: mariadb 10.3
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL;
