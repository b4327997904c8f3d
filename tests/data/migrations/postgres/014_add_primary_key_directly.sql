-- expect: unsafe add-primary-key-without-index
SET lock_timeout = '2s';
ALTER TABLE legacy_events ADD PRIMARY KEY (id);
