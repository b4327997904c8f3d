-- expect: safe
CREATE TABLE orders_archive_new LIKE orders_archive;
RENAME TABLE orders_archive TO orders_archive_old, orders_archive_new TO orders_archive;
