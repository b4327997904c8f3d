-- expect: safe
-- transaction: tool
CREATE TABLE plan_limits (plan text PRIMARY KEY, max_seats int);
INSERT INTO plan_limits (plan, max_seats) VALUES ('free', 1), ('team', 10);
UPDATE plan_limits SET max_seats = 5 WHERE plan = 'free';
