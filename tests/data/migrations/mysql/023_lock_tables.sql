-- expect: unsafe explicit-lock-table
LOCK TABLES accounts WRITE;
UPDATE accounts SET balance = 0 WHERE id = 1;
UNLOCK TABLES;
