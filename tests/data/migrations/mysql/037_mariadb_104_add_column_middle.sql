-- expect: safe
-- engine: mariadb 10.4
ALTER TABLE orders ADD COLUMN gift_note VARCHAR(255) NULL FIRST;
