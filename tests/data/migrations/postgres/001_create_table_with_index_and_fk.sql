-- expect: safe
-- transaction: tool
SET lock_timeout = '3s';
CREATE TABLE invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now(),
    total_cents bigint NOT NULL CHECK (total_cents >= 0)
);
CREATE INDEX invoices_customer_id_idx ON invoices (customer_id);
ALTER TABLE invoices ADD CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
