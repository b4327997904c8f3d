-- expect: clean
SELECT id, status, total FROM orders WHERE id = ANY($1::bigint[]);
