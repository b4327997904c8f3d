-- expect: safe
SET lock_timeout = '2s';
CREATE TABLE tags (id bigint PRIMARY KEY, label varchar(32) NOT NULL);
ALTER TABLE tags ALTER COLUMN label TYPE varchar(64);
