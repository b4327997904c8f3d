-- expect: safe
SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN currency SET DEFAULT 'EUR';
ALTER TABLE orders ALTER COLUMN notes DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN coupon_code DROP NOT NULL;
