-- expect: unsafe add-check-without-not-valid
SET lock_timeout = '2s';
ALTER TABLE shipments
    ADD COLUMN weight_grams integer,
    ADD CONSTRAINT shipments_weight_positive CHECK (weight_grams > 0);
