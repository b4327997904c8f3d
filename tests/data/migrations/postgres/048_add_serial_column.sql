-- expect: unsafe add-serial-column
ALTER TABLE webhooks ADD COLUMN seq bigserial;
