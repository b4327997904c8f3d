-- expect: unsafe add-column-with-volatile-default
ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
