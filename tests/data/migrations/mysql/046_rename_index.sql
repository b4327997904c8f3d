-- expect: safe
ALTER TABLE orders RENAME INDEX idx_old TO orders_customer_idx;
