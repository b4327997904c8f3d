-- expect: unsafe create-index-not-concurrently
-- transaction: tool
CREATE TABLE coupons (id bigint PRIMARY KEY, code text NOT NULL);
CREATE INDEX coupons_code_idx ON coupons (code);
CREATE INDEX orders_coupon_id_idx ON orders (coupon_id);
