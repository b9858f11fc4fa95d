"""The SQL of the vectorised sync (``_bulk_json.py``): pass 1 reads each page's records (fields as JSON, keys,
what the listing's cuts read), pass 2 turns them into :data:`~modelrace.hub._bulk.SOURCE_COLUMNS` rows for
:func:`~modelrace.hub._bulk.validation_sql`. Any value of a JSON type the SQL does not expect makes its row's
``source_ok`` false: Python's rules decide that record."""

from __future__ import annotations

import json

from modelrace.hub._records import RECORD_FIELDS

# Each field the rules read (RECORD_FIELDS), kept as JSON text: its JSON type decides the route.
_TRANSFORM = json.dumps([{name: "JSON" for name in RECORD_FIELDS}])
# Spellings DuckDB's reader takes and Python's does not: a trailing comma, nan/inf in any case. A match inside a
# string only sends the page to Python (conservative).
_DOUBTFUL = r",[ \t\n\r]*[\]}]|[:\[,][ \t\n\r]*[-+]?[nNiI][aAnN][nNfF]"
# The Hub's own date form (Python's fromisoformat reads it to the same instant); others go to Python.
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{3}|\.[0-9]{6})?(Z|\+00:00)?$"
_INTS = "('UBIGINT', 'BIGINT')"

_STRUCT = "STRUCT(" + ", ".join(f'"{name}" JSON' for name in RECORD_FIELDS) + ")"
RAW_TABLE_SQL = f"""
    CREATE OR REPLACE TEMP TABLE sync_raw (
        key BIGINT, idx BIGINT, r {_STRUCT}, k VARCHAR[], cut_downloads BIGINT, cut_doubtful BOOLEAN)
"""
# Pass 1, per page (a listing with cuts) or per batch of pages: each record's fields and keys, and what the
# listing's cut reads. A page DuckDB cannot read, or might read otherwise than Python, yields no row.
RAW_SQL = f"""
    INSERT INTO sync_raw
    SELECT key, idx, r, k,
           -- the per-record loop's cut reads an int (or bool) downloads, else 0
           CASE json_type(r.downloads) WHEN 'BOOLEAN' THEN r.downloads::BOOLEAN::BIGINT
                WHEN 'UBIGINT' THEN TRY_CAST(r.downloads AS BIGINT) WHEN 'BIGINT' THEN TRY_CAST(r.downloads AS BIGINT)
                ELSE 0 END AS cut_downloads,
           coalesce(len(k) <> len(list_distinct(k)) OR json_type(r.downloads) = 'DOUBLE'
                    OR (json_type(r.downloads) IN {_INTS} AND TRY_CAST(r.downloads AS BIGINT) IS NULL), FALSE)
               AS cut_doubtful
    FROM (
        SELECT key, unnest(records) AS r, unnest(keys) AS k, unnest(range(len(records))) AS idx
        FROM (
            SELECT key, try(json_transform(body, '{_TRANSFORM}')) AS records, try(json_keys(body, '$[*]')) AS keys
            FROM sync_pages WHERE NOT regexp_matches(body, '{_DOUBTFUL}')
        )
        WHERE len(records) = len(keys)
    )
    RETURNING key, cut_downloads, cut_doubtful
"""


def _count(field: str) -> tuple[str, str]:
    """A count's value and whether its JSON type is one the SQL reads (an integer within BIGINT, or absent)."""
    value = f"CASE WHEN json_type({field}) IN {_INTS} THEN TRY_CAST({field} AS BIGINT) END"
    return value, f"({field} IS NULL OR {value} IS NOT NULL)"


def _text(field: str) -> tuple[str, str]:
    return f"CASE WHEN json_type({field}) = 'VARCHAR' THEN {field} ->> '$' END", (
        f"({field} IS NULL OR json_type({field}) = 'VARCHAR')"
    )


def _date(field: str) -> tuple[str, str]:
    text = f"CASE WHEN json_type({field}) = 'VARCHAR' THEN {field} ->> '$' END"
    value = (
        f"CASE WHEN regexp_matches({text}, '{_ISO_DATE}') "
        f"THEN TRY_CAST(regexp_replace({text}, '(Z|\\+00:00)$', '') AS TIMESTAMP) END"
    )
    return value, f"({field} IS NULL OR {text} = '' OR {value} IS NOT NULL)"


# Pass 1 of a batch (a listing without cuts): how many records each page holds, or NULL when Python must read it.
COUNT_SQL = f"""
    SELECT key, CASE WHEN NOT regexp_matches(body, '{_DOUBTFUL}') THEN try(json_array_length(body)) END AS records
    FROM sync_pages
"""
_RAW_FROM_TABLE = "SELECT first_position + idx AS position, r, k FROM sync_raw JOIN sync_positions USING (key)"
_RAW_FROM_PAGES = f"""
        SELECT first_position + idx AS position, r, k
        FROM (
            SELECT key, unnest(records) AS r, unnest(keys) AS k, unnest(range(len(records))) AS idx
            FROM (SELECT key, json_transform(body, '{_TRANSFORM}') AS records, json_keys(body, '$[*]') AS keys
                  FROM sync_pages WHERE key IN (SELECT key FROM sync_positions))
        ) JOIN sync_positions USING (key)"""


def source_sql(from_pages: bool = False) -> str:
    """Pass 2: the records (``sync_raw``, or the bodies of ``sync_pages`` themselves when ``from_pages``), placed by
    ``sync_positions``, as :data:`SOURCE_COLUMNS` rows."""
    downloads, downloads_ok = _count("r.downloads")
    all_time, all_time_ok = _count("r.downloadsAllTime")
    likes, likes_ok = _count("r.likes")
    pipeline, pipeline_ok = _text("r.pipeline_tag")
    library, library_ok = _text("r.library_name")
    created, created_ok = _date("r.createdAt")
    modified, modified_ok = _date("r.lastModified")
    total, total_ok = _count("st_total")
    return f"""
    WITH raw AS ({_RAW_FROM_PAGES if from_pages else _RAW_FROM_TABLE}
    ), keyed AS (
        SELECT *, coalesce(len(k) = len(list_distinct(k)), FALSE) AS keys_once,
               CASE WHEN list_contains(k, 'id') THEN r.id ELSE r.modelId END AS id_json,
               json_type(r.safetensors) AS st_type, json_type(r.baseModels) AS bm_type
        FROM raw
    ), nested AS (
        SELECT *,
               CASE WHEN st_type = 'OBJECT' THEN r.safetensors -> '$.total' END AS st_total,
               CASE WHEN st_type = 'OBJECT' THEN len(json_keys(r.safetensors))
                                                  = len(list_distinct(json_keys(r.safetensors))) END AS st_once,
               CASE WHEN bm_type = 'OBJECT' THEN r.baseModels -> '$.relation' END AS bm_relation,
               CASE WHEN bm_type = 'OBJECT' THEN r.baseModels -> '$.models' END AS bm_models,
               CASE WHEN bm_type = 'OBJECT' THEN len(json_keys(r.baseModels))
                                                  = len(list_distinct(json_keys(r.baseModels))) END AS bm_once
        FROM keyed
    ), bases AS (
        SELECT *,
               CASE WHEN json_type(bm_models) = 'ARRAY' THEN json_transform(bm_models, '[{{"id": "JSON"}}]') END
                   AS bm_entries,
               CASE WHEN json_type(bm_models) = 'ARRAY' THEN
                   list_bool_and(list_transform(json_type(bm_models, '$[*]'), lambda t: t = 'OBJECT'))
                   AND list_bool_and(list_transform(json_keys(bm_models, '$[*]'),
                                                    lambda ks: len(ks) = len(list_distinct(ks))))
                   END AS bm_entries_objects
        FROM nested
    ), fields AS (
        SELECT *,
               coalesce(CASE WHEN json_type(bm_relation) = 'VARCHAR' THEN nullif(bm_relation ->> '$', '') END,
                        'unspecified') AS bm_rel,
               coalesce(bm_entries_objects AND list_bool_and(list_transform(bm_entries,
                                                      lambda e: json_type(e.id) = 'VARCHAR')), TRUE) AS bm_ids_text
        FROM bases
    )
    SELECT position,
           CASE WHEN json_type(id_json) = 'VARCHAR' THEN id_json ->> '$' END AS id,
           {downloads} AS downloads, {all_time} AS downloads_all_time, {likes} AS likes,
           CASE WHEN json_type(r.tags) = 'ARRAY' THEN r.tags ->> '$[*]' END AS tags,
           {pipeline} AS pipeline_tag, {library} AS library_name, {created} AS created_at,
           {modified} AS last_modified,
           CASE WHEN json_type(r.cardData) = 'OBJECT' THEN r.cardData::VARCHAR END AS card,
           CASE json_type(r.gated) WHEN 'BOOLEAN' THEN r.gated::VARCHAR WHEN 'VARCHAR' THEN r.gated ->> '$' END
               AS gated,
           coalesce(r.gated IS NULL OR json_type(r.gated) = 'BOOLEAN'
                    OR (json_type(r.gated) = 'VARCHAR' AND r.gated ->> '$' IN ('auto', 'manual')), FALSE) AS gated_ok,
           CASE WHEN st_type = 'OBJECT' THEN {total} END AS safetensors_total,
           CASE WHEN bm_type = 'OBJECT' AND bm_entries IS NOT NULL
                THEN list_transform(bm_entries, lambda e: {{'id': e.id ->> '$', 'rel': bm_rel, 'bad': false}})
                ELSE [] END AS declared_bases,
           -- NULL (three-valued logic) must not pass for clean: every check is coalesced to false
           coalesce(keys_once AND (id_json IS NULL OR json_type(id_json) = 'VARCHAR')
               AND {downloads_ok} AND {all_time_ok} AND {likes_ok}
               AND (r.tags IS NULL OR (json_type(r.tags) = 'ARRAY' AND coalesce(list_bool_and(list_transform(
                    json_type(r.tags, '$[*]'), lambda t: t = 'VARCHAR')), TRUE)))
               AND {pipeline_ok} AND {library_ok} AND {created_ok} AND {modified_ok}
               AND (r.cardData IS NULL OR json_type(r.cardData) = 'OBJECT')
               AND (r.safetensors IS NULL OR (st_type = 'OBJECT' AND st_once
                    AND (st_total IS NULL OR json_type(st_total) = 'NULL' OR {total_ok})))
               AND (r.baseModels IS NULL OR (bm_type = 'OBJECT' AND bm_once
                    AND (bm_relation IS NULL OR json_type(bm_relation) IN ('VARCHAR', 'NULL'))
                    AND (bm_models IS NULL OR json_type(bm_models) IN ('ARRAY', 'NULL')) AND bm_ids_text)), FALSE)
               AS source_ok
    FROM fields
    """
