-- expect: safe
-- version: 13
SET lock_timeout = '1s';
ALTER TABLE measurements DETACH PARTITION measurements_2019;
