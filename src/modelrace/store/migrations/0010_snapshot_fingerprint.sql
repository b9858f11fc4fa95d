-- A snapshot imported from a file remembers the file's fingerprint (hub/_importers.py: the SHA-256 of a JSON file's
-- bytes; of a Parquet file's size and footer, which holds every row group's offsets, sizes and statistics): the
-- same file imported again is refused instead of becoming a second, identical snapshot. NULL for syncs and for
-- snapshots stored before this migration.
ALTER TABLE snapshots ADD COLUMN file_fingerprint VARCHAR;
