-- expect: unsafe add-unique-constraint-without-index
SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_username_key UNIQUE (username);
