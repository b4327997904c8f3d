-- expect: unsafe add-check-without-not-valid
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_period_check CHECK (ends_at > starts_at);
