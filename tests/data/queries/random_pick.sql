-- expect: order-by-random
SELECT id, name FROM customers ORDER BY random() LIMIT 3;
