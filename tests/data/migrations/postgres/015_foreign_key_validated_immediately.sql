-- expect: unsafe add-foreign-key-without-not-valid
SET lock_timeout = '2s';
ALTER TABLE order_items ADD CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id);
