-- The Hub catalog. Storage is laid out so that hundreds of snapshots of the whole Hub stay practical:
-- * `models` holds every model id ever seen (as a record or as a referenced base) once, keyed by an integer;
-- * `model_versions` holds a model's descriptive attributes once per distinct content (version_id is a hash
--   of them), so an unchanged model costs nothing new in a later snapshot;
-- * `snapshot_models` is the only per-snapshot table of catalog size: integers only.
-- Bulk tables carry no PRIMARY KEY/UNIQUE index on purpose: DuckDB's ART indexes would cost memory and
-- ingest speed at 2 M rows per snapshot; the ingest code guarantees uniqueness (see hub/_ingest.py).

CREATE TABLE snapshots (
    snapshot_id     INTEGER PRIMARY KEY,
    taken_at        TIMESTAMP NOT NULL,      -- when the data was observed (UTC)
    source          VARCHAR NOT NULL,        -- hub-api | hub-stats | hub-json
    source_detail   VARCHAR,                 -- endpoint URL or file path
    filters         VARCHAR,                 -- JSON of the filters a sync used
    model_count     BIGINT NOT NULL,
    rejected_count  BIGINT NOT NULL,
    duplicate_count BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

CREATE TABLE models (
    model_key INTEGER NOT NULL,
    model_id  VARCHAR NOT NULL,
    namespace VARCHAR                         -- NULL for legacy ids without an owner ("gpt2")
);

CREATE TABLE model_versions (
    version_id     BIGINT NOT NULL,
    model_key      INTEGER NOT NULL,
    pipeline_tag   VARCHAR,
    library_name   VARCHAR,
    tags           VARCHAR[],
    gated          VARCHAR,                   -- false | auto | manual
    license        VARCHAR,                   -- the Hub's licence id (tag license:X or card data)
    license_name   VARCHAR,                   -- card data, for license: other
    license_link   VARCHAR,
    params         BIGINT,                    -- total parameters
    params_active  BIGINT,                    -- active parameters (MoE), when known
    params_source  VARCHAR,                   -- safetensors | name (parsed from the id: a fallback)
    created_at     TIMESTAMP,
    last_modified  TIMESTAMP,
    base_models    STRUCT(model_id VARCHAR, relation VARCHAR)[]
);

CREATE TABLE snapshot_models (
    snapshot_id        INTEGER NOT NULL,
    model_key          INTEGER NOT NULL,
    version_id         BIGINT NOT NULL,
    downloads_30d      BIGINT NOT NULL,
    downloads_all_time BIGINT,
    likes              BIGINT
);

-- Records a sync or import refused, with the reason: counted, never silently dropped.
CREATE TABLE rejections (
    snapshot_id INTEGER NOT NULL,
    position    BIGINT,                       -- index in the source (record number or page)
    model_id    VARCHAR,
    reason      VARCHAR NOT NULL
);

-- The model tree resolved for one snapshot: each model's root(s) with the share of credit each gets.
-- One row per (model, root); merges with several parents give several rows whose credit sums to 1.
CREATE TABLE model_tree (
    snapshot_id INTEGER NOT NULL,
    model_key   INTEGER NOT NULL,
    root_key    INTEGER NOT NULL,
    credit      DOUBLE NOT NULL,
    is_primary  BOOLEAN NOT NULL,             -- the root with the largest credit (first parent on ties)
    depth       INTEGER NOT NULL,             -- edges from the model to its root along the primary path
    issue       VARCHAR                       -- cycle | NULL
);

-- Each root's ecosystem in one snapshot: derivatives by their own relation to their parent.
CREATE TABLE root_ecosystem (
    snapshot_id          INTEGER NOT NULL,
    root_key             INTEGER NOT NULL,
    finetunes            BIGINT NOT NULL,
    quantizations        BIGINT NOT NULL,
    adapters             BIGINT NOT NULL,
    merges               BIGINT NOT NULL,
    unspecified          BIGINT NOT NULL,
    derivative_downloads_30d DOUBLE NOT NULL  -- downloads of derivatives credited to the root
);
