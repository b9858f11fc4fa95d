-- A snapshot imported from a file remembers the file's fingerprint (hub/_importers.py: the SHA-256 of its bytes):
-- the same file imported again is refused instead of becoming a second, identical snapshot. NULL for syncs and for
-- snapshots stored before this migration.
ALTER TABLE snapshots ADD COLUMN file_fingerprint VARCHAR;
