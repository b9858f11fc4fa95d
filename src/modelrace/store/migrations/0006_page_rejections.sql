-- Listing pages a sync could not read (not JSON, not a list, nested too deep), kept apart from rejected records:
-- a page number is not a record position, and page numbers restart with each listing (one per pipeline tag).
CREATE TABLE page_rejections (
    snapshot_id INTEGER NOT NULL,
    listing     VARCHAR,                      -- the listing's filter, e.g. pipeline_tag=text-generation
    page        BIGINT NOT NULL,              -- 0-based page number within that listing
    reason      VARCHAR NOT NULL
);
