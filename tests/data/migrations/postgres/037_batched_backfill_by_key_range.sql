-- expect: safe
UPDATE accounts SET plan = 'free' WHERE id >= 1 AND id < 10001 AND plan IS NULL;
