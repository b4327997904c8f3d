-- expect: unsafe drop-column
-- transaction: tool
SET lock_timeout = '2s';
DROP TRIGGER IF EXISTS users_email_normalized ON users;
ALTER TABLE users DROP COLUMN email;
