CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL UNIQUE,
  username text NOT NULL UNIQUE,
  phone text,
  created_at timestamptz NOT NULL
);
CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  issued_on date NOT NULL,
  amount numeric(12, 2) NOT NULL,
  paid_at timestamptz
);
CREATE INDEX invoices_issued_on_idx ON invoices (issued_on);
CREATE INDEX invoices_paid_at_idx ON invoices (paid_at);
