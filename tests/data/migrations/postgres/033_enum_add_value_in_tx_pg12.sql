-- expect: safe
-- version: 12
-- transaction: tool
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';
