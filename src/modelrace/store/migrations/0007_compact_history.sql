-- A year of daily whole-Hub snapshots on one machine (issue #15). The per-snapshot table of catalog size,
-- `snapshot_models`, referenced each model's version by a random 64-bit content hash: 8 incompressible bytes
-- per model and day, most of a snapshot's storage. Versions are now numbered per model:
--     version_id = model_key * 2^20 + n   (the model's n-th distinct content; at most one new one a day)
-- so that, with `snapshot_models` and `model_tree` stored in model_key order, a snapshot's version column is
-- nearly a copy of its key column and compresses to almost nothing. The content hash that decides whether a
-- record is a new version moves to `model_versions.content_hash` (computed in SQL by hub/_ingest.py, over the
-- same attributes as before).

CREATE TEMP TABLE version_renumbering AS
SELECT version_id AS old_id,
       (model_key::BIGINT << 20) + row_number() OVER (PARTITION BY model_key ORDER BY last_modified, version_id)
           AS new_id
FROM model_versions;

CREATE TABLE model_versions_compact (
    version_id     BIGINT NOT NULL,           -- model_key * 2^20 + the model's version number
    model_key      INTEGER NOT NULL,
    pipeline_tag   VARCHAR,
    library_name   VARCHAR,
    tags           VARCHAR[],
    gated          VARCHAR,
    license        VARCHAR,
    license_name   VARCHAR,
    license_link   VARCHAR,
    params         BIGINT,
    params_active  BIGINT,
    params_source  VARCHAR,
    created_at     TIMESTAMP,
    last_modified  TIMESTAMP,
    base_models    STRUCT(model_id VARCHAR, relation VARCHAR)[],
    content_hash   BIGINT NOT NULL            -- hash of the descriptive attributes (hub/_ingest.py CONTENT_HASH)
);

INSERT INTO model_versions_compact
SELECT r.new_id, v.model_key, v.pipeline_tag, v.library_name, v.tags, v.gated, v.license, v.license_name,
       v.license_link, v.params, v.params_active, v.params_source, v.created_at, v.last_modified, v.base_models,
       (hash(m.model_id, v.pipeline_tag, v.library_name, v.tags, v.gated, v.license, v.license_name, v.license_link,
             v.params, v.params_active, v.params_source, v.created_at, v.last_modified, v.base_models) >> 1)::BIGINT
FROM model_versions v
JOIN version_renumbering r ON r.old_id = v.version_id
JOIN models m ON m.model_key = v.model_key
ORDER BY r.new_id;

CREATE TABLE snapshot_models_compact (
    snapshot_id        INTEGER NOT NULL,
    model_key          INTEGER NOT NULL,
    version_id         BIGINT NOT NULL,
    downloads_30d      BIGINT NOT NULL,
    downloads_all_time BIGINT,
    likes              BIGINT
);

INSERT INTO snapshot_models_compact
SELECT sm.snapshot_id, sm.model_key, r.new_id, sm.downloads_30d, sm.downloads_all_time, sm.likes
FROM snapshot_models sm JOIN version_renumbering r ON r.old_id = sm.version_id
ORDER BY sm.snapshot_id, sm.model_key;

DROP TABLE snapshot_models;
ALTER TABLE snapshot_models_compact RENAME TO snapshot_models;
DROP TABLE model_versions;
ALTER TABLE model_versions_compact RENAME TO model_versions;
DROP TABLE version_renumbering;
