-- expect: unsafe mysql-alter-locks-table
ALTER TABLE sessions ENGINE=InnoDB, ALGORITHM=COPY;
