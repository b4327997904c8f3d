-- expect: safe
-- transaction: tool
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN email_normalized text;
CREATE FUNCTION users_email_normalized() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.email_normalized := lower(NEW.email);
  RETURN NEW;
END $$;
CREATE TRIGGER users_email_normalized BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_email_normalized();
