-- Provenance (issue #10, rules in docs/provenance.md): every snapshot says what kind of source it came from, the
-- date of its data (not the time it was stored), where it came from, and which models it holds (its selection),
-- so that two snapshots are compared only on a scope both hold. Result imports say how their date was found.

ALTER TABLE snapshots ADD COLUMN source_kind VARCHAR;  -- live | replay | hub-stats-file | hub-json-file
ALTER TABLE snapshots ADD COLUMN data_date VARCHAR;    -- the data's date: YYYY-MM-DD, or YYYY-MM when only the month is known
ALTER TABLE snapshots ADD COLUMN date_basis VARCHAR;   -- how data_date was found (sync time, newest lastModified, ...)
ALTER TABLE snapshots ADD COLUMN origin VARCHAR;       -- endpoint URL, imported file, or the replayed file
ALTER TABLE snapshots ADD COLUMN selection VARCHAR;    -- complete | top-downloads | subset
ALTER TABLE snapshots ADD COLUMN lacks VARCHAR;        -- JSON list of facts the source does not carry ("license", ...)

-- Snapshots stored before provenance existed: what their columns allow us to say.
UPDATE snapshots SET
    source_kind = CASE source WHEN 'hub-api' THEN 'live' WHEN 'hub-stats' THEN 'hub-stats-file'
                              WHEN 'hub-json' THEN 'hub-json-file' ELSE source END,
    data_date = strftime(taken_at, '%Y-%m-%d'),
    date_basis = 'taken_at (stored before provenance was recorded)',
    origin = source_detail,
    selection = CASE
        WHEN source = 'hub-api' AND (json_extract(filters, '$.limit') IS NOT NULL AND json_extract_string(filters, '$.limit') <> 'null'
                                     OR json_extract(filters, '$.min_downloads') IS NOT NULL
                                        AND json_extract_string(filters, '$.min_downloads') <> 'null')
            THEN 'top-downloads'
        WHEN source IN ('hub-api', 'hub-stats') THEN 'complete'
        ELSE 'subset' END;

ALTER TABLE result_imports ADD COLUMN date_basis VARCHAR;  -- --date | contents | file name
UPDATE result_imports SET date_basis = 'unrecorded (imported before provenance was recorded)';
