-- expect: safe
-- version: 14
ALTER TABLE measurements DETACH PARTITION measurements_2019 CONCURRENTLY;
