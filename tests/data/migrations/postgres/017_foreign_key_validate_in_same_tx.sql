-- expect: unsafe validate-in-same-transaction
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE order_items ADD CONSTRAINT order_items_product_fk
    FOREIGN KEY (product_id) REFERENCES products (id) NOT VALID;
ALTER TABLE order_items VALIDATE CONSTRAINT order_items_product_fk;
COMMIT;
