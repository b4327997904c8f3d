-- expect: safe
SET foreign_key_checks = 0;
ALTER TABLE order_items ADD CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id), ALGORITHM=INPLACE, LOCK=NONE;
SET foreign_key_checks = 1;
