-- expect: safe
-- version: 10
ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';
