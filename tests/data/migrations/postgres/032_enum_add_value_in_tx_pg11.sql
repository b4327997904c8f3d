-- expect: unsafe enum-add-value-in-transaction
-- version: 11
-- transaction: tool
ALTER TYPE order_status ADD VALUE 'refunded';
