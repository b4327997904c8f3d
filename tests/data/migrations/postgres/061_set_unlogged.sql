-- expect: unsafe full-table-rewrite
ALTER TABLE page_views SET UNLOGGED;
