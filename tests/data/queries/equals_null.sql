-- expect: comparison-with-null
SELECT id FROM orders WHERE coupon_code = NULL;
