-- expect: safe
-- transaction: tool
SET lock_timeout = '2s';
ALTER TABLE payments ADD CONSTRAINT payments_invoice_fk FOREIGN KEY (invoice_id) REFERENCES invoices (id) NOT VALID;
