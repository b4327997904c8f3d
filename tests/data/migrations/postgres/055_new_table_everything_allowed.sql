-- expect: safe
-- transaction: tool
CREATE TABLE import_batches (id int, label varchar(20));
ALTER TABLE import_batches ADD PRIMARY KEY (id);
ALTER TABLE import_batches ALTER COLUMN id TYPE bigint;
ALTER TABLE import_batches ALTER COLUMN label SET NOT NULL;
CREATE INDEX import_batches_label_idx ON import_batches (label);
ALTER TABLE import_batches ADD CONSTRAINT import_batches_label_key UNIQUE (label);
