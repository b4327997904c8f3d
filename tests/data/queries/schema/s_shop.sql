-- A shop with suppliers and imported events, for the subquery, join and grouping rules.
CREATE TABLE customers (
  id bigint PRIMARY KEY,
  email varchar(200) NOT NULL UNIQUE,
  name varchar(100) NOT NULL,
  region varchar(20),
  external_id char(36),
  created_at timestamp NOT NULL
);
CREATE TABLE suppliers (
  id bigint PRIMARY KEY,
  email varchar(200) NOT NULL,
  name varchar(100) NOT NULL
);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  status varchar(20) NOT NULL,
  total decimal(12, 2) NOT NULL,
  created_at timestamp NOT NULL
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE TABLE events (
  id bigint PRIMARY KEY,
  customer_ref varchar(20) NOT NULL,
  kind varchar(30) NOT NULL,
  happened_at timestamp NOT NULL
);
CREATE INDEX events_customer_ref_idx ON events (customer_ref);
CREATE TABLE audit_log (
  actor varchar(100) NOT NULL,
  action varchar(50) NOT NULL,
  at timestamp NOT NULL
);
