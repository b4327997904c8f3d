-- expect: unsafe mysql-alter-rebuilds-table
ALTER TABLE legacy_logs ADD PRIMARY KEY (id);
