-- Pairwise battles (two models, one verdict) and the duels that make our own.
-- A battle keeps the names its source uses; entity resolution ties them to models at query time, as for
-- published results. Imported votes and duel verdicts share one table, told apart by judge_kind.

CREATE TABLE battle_batches (
    batch_id     INTEGER PRIMARY KEY,
    kind         VARCHAR NOT NULL,       -- import | duel
    source       VARCHAR NOT NULL,       -- the label `arena --source` selects (a file's stem, or "duel")
    judge_kind   VARCHAR NOT NULL,       -- human | model
    path         VARCHAR NOT NULL,       -- the file imported, or duel:<duel_id>
    file_sha256  VARCHAR NOT NULL,       -- the same file twice is recognised (a duel: its id)
    data_date    DATE NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    battles      BIGINT NOT NULL,
    rejected     BIGINT NOT NULL,
    notes        VARCHAR                 -- JSON
);

CREATE TABLE battles (
    batch_id     INTEGER NOT NULL,
    position     BIGINT NOT NULL,        -- row in the file (1-based), or the duel item's index
    model_a      VARCHAR NOT NULL,
    model_b      VARCHAR NOT NULL,
    winner       VARCHAR NOT NULL,       -- model_a | model_b | tie | tie (bothbad)
    judge_kind   VARCHAR NOT NULL,       -- human | model
    judge        VARCHAR,                -- who judged, when the source says (a duel: the judge's model spec)
    category     VARCHAR,
    language     VARCHAR,
    question_id  VARCHAR,
    happened_at  TIMESTAMP
);

CREATE TABLE battle_rejections (
    batch_id  INTEGER NOT NULL,
    position  BIGINT NOT NULL,
    reason    VARCHAR NOT NULL,
    raw       VARCHAR                    -- the row as read, shortened
);

-- A duel: two models answer the same prompts, a judge model compares the answers in both orders.
-- Its id is a hash of its manifest (models, judge, prompts, judge template), so the same command resumes.
CREATE TABLE duels (
    duel_id      VARCHAR PRIMARY KEY,
    batch_id     INTEGER NOT NULL,       -- its battles' batch
    model_a      VARCHAR NOT NULL,       -- model specs as given
    model_b      VARCHAR NOT NULL,
    name_a       VARCHAR NOT NULL,       -- the names its battles use (the models' identities)
    name_b       VARCHAR NOT NULL,
    judge        VARCHAR NOT NULL,
    manifest     VARCHAR NOT NULL,       -- JSON
    items_total  INTEGER NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL        -- running | finished
);

-- One judged prompt, written in one transaction with its battle the moment it is judged.
CREATE TABLE duel_items (
    duel_id        VARCHAR NOT NULL,
    item_id        VARCHAR NOT NULL,
    prompt         VARCHAR NOT NULL,
    answer_a       VARCHAR NOT NULL,
    answer_b       VARCHAR NOT NULL,
    verdict_ab     VARCHAR NOT NULL,     -- A shown first: first | second | tie | unclear
    verdict_ba     VARCHAR NOT NULL,     -- B shown first
    judgement_ab   VARCHAR NOT NULL,     -- the judge's own words
    judgement_ba   VARCHAR NOT NULL,
    winner         VARCHAR NOT NULL,     -- model_a | model_b | tie
    written_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (duel_id, item_id)
);
