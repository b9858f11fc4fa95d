-- Usage: what a router serves (tokens, requests, list-price dollars), one dated snapshot per file imported.
-- A row keeps the slug its source uses; entity resolution ties it to a model at query time, as for results.
-- Each section of a file is its own series with its own base (``share_base``): a share of all the router's
-- tokens where the source gives one, of the listed rows' tokens where it lists only those. Never mixed.

CREATE TABLE usage_snapshots (
    usage_snapshot_id  INTEGER PRIMARY KEY,  -- not `snapshot_id`: that column marks Hub snapshots' rows (drop, export)
    source       VARCHAR NOT NULL,       -- openrouter
    layout       VARCHAR NOT NULL,       -- rankings-page | weekly-top-models | rankings-dataset | models-list
    path         VARCHAR NOT NULL,       -- the file imported, or the endpoint synced
    file_sha256  VARCHAR NOT NULL,       -- the same file twice is recognised
    data_date    DATE NOT NULL,          -- the latest day its rows describe
    date_basis   VARCHAR NOT NULL,       -- contents | file name
    imported_at  TIMESTAMP NOT NULL,
    rows         BIGINT NOT NULL,
    rejected     BIGINT NOT NULL,
    coverage     VARCHAR NOT NULL,       -- JSON: {section: "top 9 authors by weekly tokens", ...}
    notes        VARCHAR                 -- JSON
);

CREATE TABLE usage_rows (
    usage_snapshot_id  INTEGER NOT NULL,
    position           INTEGER NOT NULL, -- the row in its section (0-based)
    section            VARCHAR NOT NULL, -- authors | models | prices
    day                DATE NOT NULL,    -- the day the row describes (the snapshot's, or the dataset row's)
    slug               VARCHAR NOT NULL, -- a model slug (author/name[:free]) or an author slug
    author             VARCHAR NOT NULL,
    rank               INTEGER,
    tokens             DOUBLE,
    requests           DOUBLE,
    prompt_tokens      DOUBLE,
    completion_tokens  DOUBLE,
    share_pct          DOUBLE,           -- the share the source states, in percent of share_base
    share_base         VARCHAR NOT NULL, -- what the share is of, in words
    prompt_usd_per_token      DOUBLE,
    completion_usd_per_token  DOUBLE,
    is_free            BOOLEAN NOT NULL
);

CREATE TABLE usage_rejections (
    usage_snapshot_id  INTEGER NOT NULL,
    section      VARCHAR NOT NULL,
    position     INTEGER NOT NULL,
    slug         VARCHAR,
    reason       VARCHAR NOT NULL,
    raw          VARCHAR                 -- the row as read, shortened
);
