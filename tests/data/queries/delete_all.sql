-- expect: update-or-delete-without-where
DELETE FROM order_items;
