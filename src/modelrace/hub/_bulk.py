"""Vectorised validation of a whole-Hub file: the per-record rules of ``_records.py`` as SQL, in DuckDB.

DuckDB reads the hub-stats Parquet directly and evaluates, for every row at once, a conservative predicate
``clean``: a row is clean only when every rule of :func:`~modelrace.hub._records.parse_model` certainly
accepts it *and* the SQL below computes exactly the fields ``parse_model`` would (no whitespace to strip,
ASCII licence text to lower-case, card keys spelled once and literally, one size in the name, ...). Clean rows
are staged straight from SQL. Every other row (the rare ones: malformed, or merely unusual) is read back and
given to ``parse_model`` itself, so a rejection always has the per-record validator's reason. The property
test in ``tests/hub/test_bulk.py`` checks, on fuzzed records, that both routes store and reject the same.

Sizes in names (``params_from_name``) are parsed in SQL when the name holds one size; names with several
(``Qwen3-30B-A3B``) or an experts count (``8x7B``) go to the Python function.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from modelrace.hub._records import (
    HUB_EPOCH,
    MAX_BASE_MODELS,
    MAX_DOWNLOADS,
    MAX_LIKES,
    MAX_LINK_CHARS,
    MAX_PARAMS,
    MAX_TAG_CHARS,
    MAX_TAGS,
    MAX_TEXT_CHARS,
)
from modelrace.knowledge import params_from_name

_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9._-]{1,96})?$"
_CONTROL = r"[\x00-\x1f\x7f-\x{9f}]"
# Printable ASCII without surrounding spaces (or empty): Python's strip() and lower() are then SQL's identity
# and lower().
_PLAIN = r"^([!-~]([ -~]*[!-~])?)?$"
_SIZE = r"(^|[^A-Za-z0-9.])([aA])?([0-9]{1,4}(\.[0-9]{1,3})?)([bmtBMT])([^A-Za-z0-9]|$)"
_UNIT = "CASE lower({u}) WHEN 'b' THEN 1e9 WHEN 'm' THEN 1e6 ELSE 1e12 END"

# What the fast path expects of each hub-stats column; another type sends every row to the per-record route.
_EXPECTED: dict[str, tuple[str, ...]] = {
    "id": ("VARCHAR",),
    "downloads": ("BIGINT", "INTEGER", "UBIGINT", "UINTEGER", "SMALLINT"),
    "downloadsAllTime": ("BIGINT", "INTEGER", "UBIGINT", "UINTEGER", "SMALLINT"),
    "likes": ("BIGINT", "INTEGER", "UBIGINT", "UINTEGER", "SMALLINT"),
    "tags": ("VARCHAR[]",),
    "pipeline_tag": ("VARCHAR",),
    "library_name": ("VARCHAR",),
    "createdAt": ("TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"),
    "lastModified": ("TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"),
    "cardData": ("VARCHAR",),
    "gated": ("VARCHAR", "BOOLEAN"),
}


# What a source query hands to :func:`validation_sql`, one row per raw record, as raw as the source allows:
SOURCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("position", "BIGINT: the record's place in the source"),
    ("id", "VARCHAR"),
    ("downloads", "BIGINT"),
    ("downloads_all_time", "BIGINT"),
    ("likes", "BIGINT"),
    ("tags", "VARCHAR[]"),
    ("pipeline_tag", "VARCHAR"),
    ("library_name", "VARCHAR"),
    ("created_at", "TIMESTAMP (UTC)"),
    ("last_modified", "TIMESTAMP (UTC)"),
    ("card", "VARCHAR: cardData as JSON text"),
    ("gated", "VARCHAR: 'true', 'false', 'auto', 'manual' or NULL"),
    ("gated_ok", "BOOLEAN: the raw gated value is one the rules accept"),
    ("safetensors_total", "BIGINT"),
    ("declared_bases", "STRUCT(id VARCHAR, rel VARCHAR, bad BOOLEAN)[]: baseModels, bad = not an object"),
    ("source_ok", "BOOLEAN: every raw value had the type the SQL expects (else the row goes to Python)"),
)


# Bump when the rules (``_records.py``) or the SQL below change what a raw record becomes: versions stored by
# older rules are then no longer taken without validation.
RULES_VERSION = 1
# The raw values of a row that decide its version (all but its counts), hashed (DuckDB's hash(): an upgrade that
# changed it would only validate every row again, once).
RAW_HASH = f"""(hash({RULES_VERSION}, id, tags, pipeline_tag, library_name, created_at, last_modified, card, gated,
    gated_ok, safetensors_total, declared_bases, source_ok) >> 1)::BIGINT"""


@dataclass(frozen=True)
class BulkPlan:
    """How a file will be read: the SQL of the staged rows, or why the fast path does not apply."""

    select_sql: str
    all_rows_need_python: str | None  # a reason (an unexpected column type), or None


def _column_types(connection: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    rows = connection.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    return {str(row[0]): str(row[1]) for row in rows}


def _struct_ok(kind: str | None, column: str) -> bool:
    if kind is None:
        return True
    if column == "baseModels":
        return kind.startswith("STRUCT(") and "relation VARCHAR" in kind and "models STRUCT(" in kind
    return kind.startswith("STRUCT(") and "total BIGINT" in kind  # safetensors


def plan(connection: duckdb.DuckDBPyConnection, path: Path, not_after: datetime) -> BulkPlan:
    """The staging SQL for a hub-stats file (columns it lacks read as null, as the per-record route does)."""
    types = _column_types(connection, path)
    unexpected = [
        f"{name} is {types[name]}"
        for name, allowed in _EXPECTED.items()
        if name in types and types[name] not in allowed
    ]
    unexpected += [f"{c} is {types[c]}" for c in ("baseModels", "safetensors") if not _struct_ok(types.get(c), c)]

    def col(name: str) -> str:
        return f'"{name}"' if name in types else "NULL"

    def timestamp(name: str) -> str:
        # An aware time is read as UTC, as parse_model does; a naive one is UTC already.
        if types.get(name) == "TIMESTAMP WITH TIME ZONE":
            return f"timezone('UTC', \"{name}\")"
        return f"{col(name)}::TIMESTAMP"

    gated_type = types.get("gated")
    gated = (
        "CASE WHEN gated THEN 'true' WHEN NOT gated THEN 'false' END"
        if gated_type == "BOOLEAN"
        else ("gated" if gated_type == "VARCHAR" else "NULL::VARCHAR")
    )
    gated_ok = "TRUE" if gated_type == "BOOLEAN" else "gated IS NULL"
    if gated_type == "VARCHAR":
        gated_ok += " OR gated IN ('auto', 'manual')"
    base_models = (
        f"""CASE WHEN {col("baseModels")} IS NULL THEN [] ELSE list_transform(coalesce("baseModels".models, []),
                lambda m: {{'id': m.id, 'rel': coalesce(nullif("baseModels".relation, ''), 'unspecified'),
                            'bad': m IS NULL}}) END"""
        if "baseModels" in types
        else "[]"
    )
    safetensors_total = 'CASE WHEN "safetensors" IS NULL THEN NULL ELSE "safetensors".total END'
    if "safetensors" not in types:
        safetensors_total = "NULL::BIGINT"
    source = f"""
        SELECT file_row_number AS position, {col("id")} AS id, {col("downloads")} AS downloads,
               {col("downloadsAllTime")} AS downloads_all_time, {col("likes")} AS likes, {col("tags")} AS tags,
               {col("pipeline_tag")} AS pipeline_tag, {col("library_name")} AS library_name,
               {timestamp("createdAt")} AS created_at, {timestamp("lastModified")} AS last_modified,
               {col("cardData")} AS card, {gated} AS gated, {gated_ok} AS gated_ok,
               {safetensors_total} AS safetensors_total, {base_models} AS declared_bases, TRUE AS source_ok
        FROM read_parquet(?, file_row_number = true)"""
    return BulkPlan(validation_sql(source, not_after, lookup=has_raw_hashes(connection)), "; ".join(unexpected) or None)


def has_raw_hashes(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether a stored version keeps the raw hash it was validated from (else no row can take one: a first import
    skips the lookup)."""
    rows = connection.execute("SELECT EXISTS (SELECT 1 FROM model_versions WHERE raw_hash IS NOT NULL)").fetchall()
    return bool(rows[0][0])


def validation_sql(source: str, not_after: datetime, *, lookup: bool = True) -> str:
    """The staging SQL over ``source``, a query yielding :data:`SOURCE_COLUMNS` (one row per raw record).

    Its rows carry the staging columns (``_ingest._STAGING_SCHEMA``) and ``clean``: true only for rows that the
    per-record rules certainly accept with exactly these values. ``source_ok`` false sends a row to Python (the
    source saw a value of an unexpected type); ``gated_ok`` is the source's reading of its ``gated`` value.
    """
    epoch = HUB_EPOCH.isoformat(sep=" ")
    latest = not_after.isoformat(sep=" ")
    counts_ok = f"""(downloads IS NULL OR downloads BETWEEN 0 AND {MAX_DOWNLOADS})
            AND (downloads_all_time IS NULL OR downloads_all_time BETWEEN 0 AND {MAX_DOWNLOADS})
            AND (likes IS NULL OR likes BETWEEN 0 AND {MAX_LIKES})"""
    if lookup:
        # A row whose raw values (counts aside) are those a stored version of its model was validated from takes
        # that version: only its counts are checked (store migration 0009). The lookup (ids, counts, hashes) is
        # materialised, so the source is hashed and joined once; the validation reads the source again and keeps
        # only the rows that found no version.
        looked = f"""
        SELECT h.position, h.id, h.downloads, h.downloads_all_time, h.likes, h.last_modified, h.raw_hash,
               k.version_id AS known_version, m.model_key AS known_key
        FROM (SELECT position, id, downloads, downloads_all_time, likes, last_modified, source_ok,
                     {RAW_HASH} AS raw_hash FROM raw) h
        LEFT JOIN models m ON m.model_id = h.id AND h.source_ok
        LEFT JOIN (SELECT model_key, raw_hash, max(version_id) AS version_id FROM model_versions
                   WHERE raw_hash IS NOT NULL GROUP BY ALL) k
               ON k.model_key = m.model_key AND k.raw_hash = h.raw_hash"""
        # ORDER BY gathers the few rows that found no version into full vectors: straight from the join they come a
        # few rows to each of DuckDB's 2,048-row chunks, and the validation's lambdas and regexes, paid per chunk,
        # then cost ~5x as much (a daily 2.2 M file: 28,660 rows, 9.6 -> 7.0 s of CPU for the whole query).
        unknown = """
        SELECT r.*, l.raw_hash, l.known_key
        FROM raw r JOIN (SELECT position, raw_hash, known_key FROM looked WHERE known_version IS NULL) l
        USING (position) ORDER BY position"""
    else:
        # Nothing stored has a raw hash (a first import): every row is validated, the source read once.
        looked = """SELECT *, NULL::BIGINT AS raw_hash, NULL::BIGINT AS known_version, NULL::BIGINT AS known_key
        FROM raw WHERE FALSE"""
        unknown = f"SELECT *, {RAW_HASH} AS raw_hash, NULL::BIGINT AS known_key FROM raw"
    return f"""
    WITH raw AS NOT MATERIALIZED ({source}
    ), looked AS MATERIALIZED ({looked}
    ), source AS ({unknown}
    ), carded AS (
        -- DuckDB's JSON reader also takes trailing commas (Python's does not), and keeps the first of two equal
        -- keys (Python the last): such cards go to the per-record route.
        -- The card is parsed once for its type: invalid JSON has none (TRY), which makes the card unreadable.
        SELECT * EXCLUDE (card_json_type),
               card IS NULL OR (card_json_type IS NOT NULL AND NOT regexp_matches(card, ',\\s*[\\]}}]'))
                   AS card_readable,
               card IS NULL AS card_missing, card_json_type AS card_type
        FROM (SELECT *, CASE WHEN card IS NOT NULL THEN TRY(json_type(card)) END AS card_json_type FROM source)
    ), fields AS (
        SELECT * EXCLUDE (card),
               CASE WHEN card_readable AND card_type = 'OBJECT'
                    THEN list_filter(json_keys(card), lambda k: k IN ('license', 'license_name', 'license_link',
                                                                       'base_model', 'base_model_relation'))
                    END AS card_keys,
               CASE WHEN card_readable AND card IS NOT NULL
                    THEN json_extract(card, ['$.license', '$.license_name', '$.license_link', '$.base_model',
                                             '$.base_model_relation']) END AS card_values,
               tags[list_position(list_transform(tags, lambda t: starts_with(t, 'license:')), true)] AS license_tag,
               -- The short texts together, for one check of control characters (below).
               concat_ws(' ', array_to_string(tags, ' '), pipeline_tag, library_name) AS texts,
               regexp_extract(id, '[^/]*$') AS name
        FROM carded
    ), typed AS (
        SELECT *,
               json_type(card_values[1]) AS license_type, json_type(card_values[2]) AS license_name_type,
               json_type(card_values[3]) AS license_link_type, json_type(card_values[4]) AS base_model_type,
               json_type(card_values[5]) AS base_relation_type
        FROM fields
    ), parsed AS (
        SELECT *,
               CASE license_type WHEN 'VARCHAR' THEN card_values[1] ->> '$'
                                 WHEN 'ARRAY' THEN card_values[1] ->> '$[0]' END AS card_license,
               CASE license_type WHEN 'ARRAY' THEN coalesce(json_type(card_values[1], '$[0]'), 'NULL') END
                   AS card_license_first_type,
               CASE WHEN license_name_type = 'VARCHAR' THEN card_values[2] ->> '$' END AS license_name,
               CASE WHEN license_link_type = 'VARCHAR' THEN card_values[3] ->> '$' END AS license_link,
               CASE base_model_type WHEN 'VARCHAR' THEN [card_values[4] ->> '$']
                                    WHEN 'ARRAY' THEN card_values[4] ->> '$[*]' ELSE [] END AS card_base_ids,
               CASE WHEN base_model_type = 'ARRAY' THEN
                   list_bool_and(list_transform(json_extract(card_values[4], '$[*]'),
                                                lambda v: json_type(v) = 'VARCHAR')) END AS card_bases_are_text,
               coalesce(nullif(CASE WHEN base_relation_type = 'VARCHAR' THEN card_values[5] ->> '$' END, ''),
                        'unspecified') AS card_relation,
               substr(license_tag, 9) AS tag_license
        FROM typed
    ), bases AS (
        SELECT *,
               -- Most models name no base model: their (empty) list is not assembled.
               CASE WHEN len(declared_bases) = 0 AND len(card_base_ids) = 0 AND NOT contains(texts, 'base_model:')
                    THEN []
                    ELSE list_concat(
                   list_transform(declared_bases, lambda b: {{'id': b.id, 'rel': b.rel, 'bad': b.bad}}),
                   list_transform(list_filter(coalesce(tags, []), lambda t: starts_with(t, 'base_model:')),
                       lambda t: CASE WHEN contains(substr(t, 12), ':')
                                       AND NOT contains(split_part(substr(t, 12), ':', 1), '/')
                                  THEN {{'id': substr(t, 13 + strpos(substr(t, 12), ':') - 1),
                                        'rel': split_part(substr(t, 12), ':', 1), 'bad': false}}
                                  ELSE {{'id': substr(t, 12), 'rel': 'unspecified', 'bad': false}} END),
                   list_transform(card_base_ids, lambda i: {{'id': i, 'rel': card_relation, 'bad': false}})
               ) END AS base_entries,
               len(regexp_extract_all(name, '[0-9][bmtBMT]')) AS name_sizes,
               -- "8x7B", or a size and an experts count ("17B-128E"): params_from_name reads them
               regexp_matches(name, '[0-9][xX][0-9]') OR regexp_matches(name, '[0-9][bBmM]-[0-9]{{2,4}}[eE]')
                   AS name_experts
        FROM parsed
    ), checked AS (
        SELECT *,
            id IS NOT NULL AND regexp_matches(id, '{_ID}') AND NOT contains(id, chr(10))
            AND {counts_ok}
            AND (tags IS NULL OR (len(tags) <= {MAX_TAGS} AND list_count(tags) = len(tags)
                 AND coalesce(list_max(list_transform(tags, lambda t: strlen(t))), 0) <= {MAX_TAG_CHARS}))
            AND (pipeline_tag IS NULL OR strlen(pipeline_tag) <= {MAX_TEXT_CHARS})
            AND (library_name IS NULL OR strlen(library_name) <= {MAX_TEXT_CHARS})
            -- No control character in tags, pipeline tag or library: ASCII text whose JSON form escapes nothing
            -- and that holds no DEL has none; other text is searched with the regex.
            AND CASE WHEN strlen(texts) = length(texts) AND strlen(to_json(texts)) = strlen(texts) + 2
                     THEN NOT contains(texts, chr(127))
                     ELSE NOT regexp_matches(texts, '{_CONTROL}') END
            AND gated_ok AND source_ok
            AND (created_at IS NULL OR created_at BETWEEN TIMESTAMP '{epoch}' AND TIMESTAMP '{latest}')
            AND (last_modified IS NULL OR last_modified BETWEEN TIMESTAMP '{epoch}' AND TIMESTAMP '{latest}')
            AND card_readable AND (card_missing OR card_type = 'OBJECT')
            AND coalesce(len(card_keys) = len(list_distinct(card_keys)), TRUE)
            AND coalesce(license_type IN ('VARCHAR', 'NULL')
                         OR (license_type = 'ARRAY' AND card_license_first_type IN ('VARCHAR', 'NULL')), TRUE)
            AND (card_license IS NULL OR (strlen(card_license) <= {MAX_TEXT_CHARS}
                 AND regexp_matches(card_license, '{_PLAIN}')))
            AND (license_tag IS NULL OR (strlen(tag_license) <= {MAX_TEXT_CHARS}
                 AND regexp_matches(tag_license, '{_PLAIN}')))
            AND coalesce(license_name_type IN ('VARCHAR', 'NULL'), TRUE)
            AND (license_name IS NULL OR (strlen(license_name) <= {MAX_TEXT_CHARS}
                 AND NOT regexp_matches(license_name, '{_CONTROL}')))
            AND coalesce(license_link_type IN ('VARCHAR', 'NULL'), TRUE)
            AND (license_link IS NULL OR (strlen(license_link) <= {MAX_LINK_CHARS}
                 AND NOT regexp_matches(license_link, '{_CONTROL}')))
            AND coalesce(base_model_type IN ('VARCHAR', 'NULL') OR (base_model_type = 'ARRAY'
                         AND coalesce(card_bases_are_text, TRUE)), TRUE)
            AND (base_model_type IS NULL OR base_model_type = 'NULL'
                 OR coalesce(base_relation_type IN ('VARCHAR', 'NULL'), TRUE))
            AND len(base_entries) <= {MAX_BASE_MODELS}
            AND list_bool_and(list_transform(base_entries, lambda e: NOT e.bad AND e.id IS NOT NULL
                 AND regexp_matches(e.id, '{_ID}') AND NOT contains(e.id, chr(10))
                 AND e.rel IN ('finetune', 'quantized', 'adapter', 'merge', 'unspecified'))) IS NOT FALSE
            AND (safetensors_total IS NULL OR safetensors_total BETWEEN 0 AND {MAX_PARAMS})
            AS clean
        FROM bases
    ), sized AS (
        SELECT *,
               CASE WHEN name_sizes = 1 AND NOT name_experts THEN regexp_extract(name, '{_SIZE}', 2) END AS size_a,
               CASE WHEN name_sizes = 1 AND NOT name_experts
                    THEN TRY_CAST(regexp_extract(name, '{_SIZE}', 3) AS DOUBLE) END AS size_value,
               CASE WHEN name_sizes = 1 AND NOT name_experts THEN regexp_extract(name, '{_SIZE}', 5) END AS size_unit
        FROM checked
    ), guessed AS (
        SELECT *,
               CASE WHEN size_a = '' AND size_unit <> '' THEN round(size_value * {_UNIT.format(u="size_unit")})::BIGINT
                    END AS name_total
        FROM sized
    )
    SELECT position, clean, id AS model_id,
           CASE WHEN contains(id, '/') THEN split_part(id, '/', 1) END AS namespace,
           coalesce(downloads, 0)::BIGINT AS downloads_30d, downloads_all_time::BIGINT AS downloads_all_time,
           likes::BIGINT AS likes, pipeline_tag, library_name, coalesce(tags, []) AS tags, gated,
           coalesce(CASE WHEN card_license <> '' THEN lower(card_license) END,
                    nullif(lower(tag_license), '')) AS license,
           license_name, license_link,
           name_sizes > 1 OR (name_sizes = 1 AND name_experts) AS name_needs_python,
           CASE WHEN safetensors_total > 0 THEN safetensors_total
                WHEN name_total > 0 AND name_total <= {MAX_PARAMS} THEN name_total END AS params,
           NULL::BIGINT AS params_active,
           CASE WHEN safetensors_total > 0 THEN 'safetensors'
                WHEN name_total > 0 AND name_total <= {MAX_PARAMS} THEN 'name' END AS params_source,
           safetensors_total,
           created_at, last_modified,
           CASE WHEN len(base_entries) <= 1
                THEN list_transform(base_entries, lambda e: {{'model_id': e.id, 'relation': e.rel}})
                ELSE list_transform(
               list_filter(base_entries, lambda e, i: NOT list_contains(
                   list_transform(base_entries[1:i - 1], lambda p: p.id), e.id)),
               lambda e: {{'model_id': e.id,
                          'relation': coalesce(list_filter(base_entries,
                              lambda q: q.id = e.id AND q.rel <> 'unspecified')[1].rel, 'unspecified')}}
           ) END AS base_models,
           raw_hash, known_key
    FROM guessed
    UNION ALL BY NAME
    -- Rows that take a stored version: their id, counts and version (the other columns are NULL: the version
    -- holds them); lastModified, which dates an import, is the raw one the version was read from.
    SELECT position, {counts_ok} AS clean, id AS model_id,
           CASE WHEN contains(id, '/') THEN split_part(id, '/', 1) END AS namespace,
           coalesce(downloads, 0)::BIGINT AS downloads_30d, downloads_all_time::BIGINT AS downloads_all_time,
           likes::BIGINT AS likes, FALSE AS name_needs_python, last_modified, raw_hash, known_version, known_key
    FROM looked WHERE known_version IS NOT NULL
    """


def name_params(ids: list[str], safetensors_totals: list[int | None]) -> pa.Table:
    """``params``, ``params_active`` and ``params_source`` of ``_records._params`` for rows whose name holds
    several sizes or an experts count (parsed by the Python function, as the per-record route does)."""
    params: list[int | None] = []
    active: list[int | None] = []
    source: list[str | None] = []
    for model_id, total in zip(ids, safetensors_totals, strict=True):
        guess = params_from_name(model_id)
        if total:
            params.append(total)
            active.append(guess.active if guess else None)
            source.append("safetensors")
        elif guess is None or guess.total > MAX_PARAMS:
            params.append(None)
            active.append(None)
            source.append(None)
        else:
            params.append(guess.total)
            active.append(guess.active)
            source.append("name")
    return pa.table(
        {
            "model_id": pa.array(ids, pa.string()),
            "params": pa.array(params, pa.int64()),
            "params_active": pa.array(active, pa.int64()),
            "params_source": pa.array(source, pa.string()),
        }
    )


def rows_at(
    connection: duckdb.DuckDBPyConnection, path: Path, positions: list[int], columns: list[str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The raw rows at ``positions`` (ascending), as the per-record route reads them (``pyarrow`` values)."""
    for start in range(0, len(positions), 10_000):
        wanted = pa.table({"wanted": pa.array(positions[start : start + 10_000], pa.int64())})  # noqa: F841
        quoted = ", ".join(f'"{c}"' for c in columns)
        table = connection.sql(
            f"""SELECT file_row_number, {quoted} FROM read_parquet($path, file_row_number = true)
                WHERE file_row_number IN (SELECT wanted FROM wanted) ORDER BY file_row_number""",
            params={"path": str(path)},
        ).to_arrow_table()
        for row in table.to_pylist():
            position = int(row.pop("file_row_number"))
            yield position, row
