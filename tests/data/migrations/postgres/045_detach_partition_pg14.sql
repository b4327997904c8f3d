-- expect: unsafe detach-partition-not-concurrently
-- version: 14
ALTER TABLE measurements DETACH PARTITION measurements_2019;
