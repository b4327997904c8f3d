-- expect: unsafe full-table-rewrite
OPTIMIZE TABLE page_views;
