-- expect: safe
SET lock_timeout = '2s';
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_period_check CHECK (ends_at > starts_at) NOT VALID;
ALTER TABLE subscriptions VALIDATE CONSTRAINT subscriptions_period_check;
