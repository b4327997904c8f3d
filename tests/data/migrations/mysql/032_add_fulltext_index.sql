-- expect: unsafe mysql-alter-copies-table
ALTER TABLE articles ADD FULLTEXT INDEX articles_body_ft (body);
