-- Published results imported from public leaderboards and from users' own harness runs.
-- Each import keeps its source, the file's data date and hash, and every figure keeps the source's own model
-- name; entity resolution (ranking/_entities.py) links names to models at query time, so improving the alias
-- table never requires re-importing.

CREATE TABLE result_imports (
    import_id    INTEGER PRIMARY KEY,
    source       VARCHAR NOT NULL,      -- open-llm-leaderboard | lmarena | artificial-analysis | livebench | epoch-models | epoch-benchmarks | lm-eval
    path         VARCHAR NOT NULL,
    file_sha256  VARCHAR NOT NULL,
    data_date    DATE NOT NULL,         -- the date of the data (from the file name, the data, or --date)
    imported_at  TIMESTAMP NOT NULL,
    models       BIGINT NOT NULL,
    results      BIGINT NOT NULL,
    rejected     BIGINT NOT NULL,
    notes        VARCHAR                 -- JSON: importer-specific checks (e.g. recomputed-score agreement)
);

-- What a source says about a model, in its own words.
CREATE TABLE source_models (
    import_id       INTEGER NOT NULL,
    source_name     VARCHAR NOT NULL,
    display_name    VARCHAR,
    organisation    VARCHAR,
    country         VARCHAR,
    params_total    DOUBLE,
    params_active   DOUBLE,
    release_date    DATE,
    license         VARCHAR,
    open_weights    BOOLEAN,
    reasoning       BOOLEAN,
    price_in_usd_per_mtok  DOUBLE,
    price_out_usd_per_mtok DOUBLE,
    extra           VARCHAR              -- JSON of the source's other fields
);

CREATE TABLE results (
    import_id    INTEGER NOT NULL,
    source_name  VARCHAR NOT NULL,
    benchmark    VARCHAR NOT NULL,       -- the source's benchmark id (e.g. "MMLU-PRO", "full", "gpqa_diamond")
    metric       VARCHAR NOT NULL,       -- accuracy | normalised | rating | index | score
    value        DOUBLE NOT NULL,        -- on the scale below
    scale        VARCHAR NOT NULL,       -- fraction (0-1) | points (0-100) | elo
    ci_low       DOUBLE,                 -- published 95 % interval, when the source gives one
    ci_high      DOUBLE,
    n_items      INTEGER,                -- the benchmark's item count, for a binomial standard error
    extra        VARCHAR
);

CREATE TABLE import_rejections (
    import_id INTEGER NOT NULL,
    position  BIGINT,
    name      VARCHAR,
    reason    VARCHAR NOT NULL
);
