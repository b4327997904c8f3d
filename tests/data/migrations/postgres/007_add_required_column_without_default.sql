-- expect: unsafe add-required-column
ALTER TABLE projects ADD COLUMN owner_id bigint NOT NULL;
