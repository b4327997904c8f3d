-- expect: safe
COMMENT ON TABLE orders IS 'Customer orders';
COMMENT ON COLUMN orders.status IS 'pending, paid, shipped';
GRANT SELECT ON orders TO reporting;
