-- expect: clean
-- engine: mysql
UPDATE orders SET status = 'shipped' WHERE id = 17;
