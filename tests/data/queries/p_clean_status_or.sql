-- expect: clean
SELECT id, total FROM orders WHERE status = 'new' OR status = 'pending';
