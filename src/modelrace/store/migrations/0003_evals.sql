-- Evaluation runs. A run's id is a hash of its manifest (task hash, prompts, seed, model file hash, backend
-- and version, sampling), so re-running the same command resumes the same run. Each item's result is written,
-- in its own transaction, the moment it is scored: a killed run keeps every finished item and redoes none.

CREATE TABLE eval_runs (
    run_id      VARCHAR PRIMARY KEY,
    task_id     VARCHAR NOT NULL,
    task_hash   VARCHAR NOT NULL,
    model_spec  VARCHAR NOT NULL,
    manifest    VARCHAR NOT NULL,       -- JSON
    items_total INTEGER NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      VARCHAR NOT NULL        -- running | finished
);

CREATE TABLE eval_items (
    run_id     VARCHAR NOT NULL,
    item_id    VARCHAR NOT NULL,
    correct    BOOLEAN,                 -- the primary metric's right/wrong, for paired tests
    metrics    VARCHAR NOT NULL,        -- JSON: metric -> value for this item
    output     VARCHAR,                 -- JSON: prediction, generation, reasoning tokens, sandbox status
    written_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, item_id)
);
