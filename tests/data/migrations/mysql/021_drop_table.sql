-- expect: unsafe drop-table
DROP TABLE IF EXISTS tmp_import_rows;
