-- expect: safe
ALTER TABLE orders DROP INDEX orders_legacy_idx, ALGORITHM=INPLACE, LOCK=NONE;
