-- expect: safe
-- transaction: tool
SET lock_timeout = '2s';
ALTER TABLE shipments ADD COLUMN carrier text;
COMMIT;
CREATE INDEX CONCURRENTLY shipments_carrier_idx ON shipments (carrier);
