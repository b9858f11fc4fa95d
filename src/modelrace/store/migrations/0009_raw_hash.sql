-- A version remembers the raw record it was validated from (issue #15): a hash of the record's raw values except
-- its counts (hub/_bulk.py RAW_HASH, with the rules' version). A later import whose row for the same model has the
-- same raw hash takes that version without validating the row again (only its counts are checked): a daily
-- whole-Hub import then validates only the ~1 % of rows that changed. NULL for versions parsed in Python (and for
-- versions stored before this migration): their rows are validated again, as before.
ALTER TABLE model_versions ADD COLUMN raw_hash BIGINT;
