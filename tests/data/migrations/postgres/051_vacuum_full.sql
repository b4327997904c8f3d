-- expect: unsafe full-table-rewrite
VACUUM FULL attachments;
