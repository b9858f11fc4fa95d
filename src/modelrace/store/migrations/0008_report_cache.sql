-- Reports' stored attribution and licences (issue #15): a cache of one snapshot's derived tables, so that a
-- report aggregates them instead of building them (the attribution and the licences take ~9 s of CPU at
-- 2.2 M models; the rest of a report ~4 s). One row per cached part ('attribution', 'licences'); the part's rows
-- are in the table `report_<part>`, (re)created by adoption.store_attribution / licensing.store_licences with the
-- column types the code of that version builds (its ENUMs follow the registry). `cache_key` is a sha256 of the
-- code's cache version, the registry (or licence registry) content and the snapshot's identity: a report uses a
-- part only when its key matches, and builds it on the fly otherwise. Only the newest cached snapshot is kept,
-- so the cache does not grow with history. Derived data: not exported (store/_export.py).
CREATE TABLE report_cache (
    part        VARCHAR NOT NULL,     -- attribution | licences
    snapshot_id INTEGER NOT NULL,
    cache_key   VARCHAR NOT NULL,
    built_at    TIMESTAMP NOT NULL
);
