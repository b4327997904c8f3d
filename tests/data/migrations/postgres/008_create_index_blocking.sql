-- expect: unsafe create-index-not-concurrently
CREATE INDEX orders_created_at_idx ON orders (created_at);
