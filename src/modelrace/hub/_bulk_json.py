"""Vectorised ingest of ``/api/models`` pages: page bodies parsed and validated in DuckDB, Python for the rare rest.

A sync reads about two thousand pages of a thousand models. Parsing each page with ``json.loads`` and each
record with :func:`~modelrace.hub._records.parse_model` costs ~50-150 µs a model; here a page body goes to DuckDB
as text, once: ``json_transform`` reads the fields the rules need (each as JSON, so that its JSON type is known)
and ``json_keys`` the keys of every record, and the page's rows are computed in the layout of
:data:`~modelrace.hub._bulk.SOURCE_COLUMNS` into a temporary table. Pages are validated in batches by
:func:`~modelrace.hub._bulk.validation_sql`, the same SQL the whole-Hub file import uses; rows it cannot prove
valid are read back from their page and handed to ``SnapshotWriter.add_raw``, so every rejection keeps the
per-record reason.

What goes to Python instead, so that both routes store and reject exactly the same (property test:
``tests/hub/test_bulk_json.py``):

* a whole page that Python's ``json`` might read differently from DuckDB's reader: bytes that are not UTF-8, a
  trailing comma or a ``nan``/``inf`` spelling (DuckDB takes both, Python rejects the page), nesting deeper than
  ``MAX_FAST_DEPTH`` (Python's parser gives up at about a thousand levels), or a body DuckDB cannot read (then
  ``json.loads`` decides: a rejected page with today's reason, or a list read record by record);
* a record whose fields have another JSON type than the SQL expects, a repeated key (Python keeps the last value,
  DuckDB the first), a number DuckDB reads as a double (a whole number past 2^64 is a Python ``int``), a date not
  in the Hub's own ISO form, or anything ``validation_sql`` does not find clean.

The listing cuts (``--min-downloads``, ``--limit``) are decided page by page from the staged rows, exactly as the
per-record loop decides them (a page whose download counts are doubtful is read by Python for that).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pyarrow as pa

from modelrace.hub._bulk import validation_sql
from modelrace.hub._client import Page, parse_page
from modelrace.hub._ingest import SnapshotWriter

MAX_FAST_DEPTH: Final = 64  # deeper pages go to Python's parser, which decides (it fails at ~1,000 levels)
FLUSH_RECORDS: Final = 100_000  # staged rows validated together (one validation query per this many)
FLUSH_BYTES: Final = 96 << 20  # page bodies kept for the rare rows read back by Python

# The fields of one record that the rules read, each kept as JSON text (its JSON type decides the route).
_FIELDS = (
    "id",
    "modelId",
    "downloads",
    "downloadsAllTime",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "lastModified",
    "cardData",
    "gated",
    "safetensors",
    "baseModels",
)
_TRANSFORM = json.dumps([{name: "JSON" for name in _FIELDS}])
# Spellings DuckDB's reader takes and Python's does not: a trailing comma, nan/inf in any case. A match inside a
# string only sends the page to Python (conservative).
_DOUBTFUL = r"(?i),[ \t\n\r]*[\]}]|[:\[,][ \t\n\r]*[-+]?(nan|inf)"
# The Hub's own date form (Python's fromisoformat reads it to the same instant); others go to Python.
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{3}|\.[0-9]{6})?(Z|\+00:00)?$"
_INTS = "('UBIGINT', 'BIGINT')"

_SOURCE_TABLE = """
    CREATE OR REPLACE TEMP TABLE sync_source (
        position BIGINT, page BIGINT, idx BIGINT, id VARCHAR, downloads BIGINT, downloads_all_time BIGINT,
        likes BIGINT, tags VARCHAR[], pipeline_tag VARCHAR, library_name VARCHAR, created_at TIMESTAMP,
        last_modified TIMESTAMP, card VARCHAR, gated VARCHAR, gated_ok BOOLEAN, safetensors_total BIGINT,
        declared_bases STRUCT(id VARCHAR, rel VARCHAR, bad BOOLEAN)[], source_ok BOOLEAN,
        cut_downloads BIGINT, cut_doubtful BOOLEAN)
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


def _page_sql() -> str:
    """Page bodies (``sync_pages``: page, first_position, body) -> their records' rows in ``sync_source`` (none for
    a page DuckDB cannot read, or one it might read otherwise than Python)."""
    downloads, downloads_ok = _count("r.downloads")
    all_time, all_time_ok = _count("r.downloadsAllTime")
    likes, likes_ok = _count("r.likes")
    pipeline, pipeline_ok = _text("r.pipeline_tag")
    library, library_ok = _text("r.library_name")
    created, created_ok = _date("r.createdAt")
    modified, modified_ok = _date("r.lastModified")
    total, total_ok = _count("st_total")
    return f"""
    INSERT INTO sync_source
    WITH page AS (
        SELECT page, first_position,
               CASE WHEN NOT doubtful THEN try(json_transform(body, '{_TRANSFORM}')) END AS records,
               CASE WHEN NOT doubtful THEN try(json_keys(body, '$[*]')) END AS keys
        FROM (SELECT *, regexp_matches(body, '{_DOUBTFUL}') AS doubtful FROM sync_pages)
    ), raw AS (
        SELECT page, first_position, unnest(records) AS r, unnest(keys) AS k, unnest(range(len(records))) AS idx
        FROM page WHERE len(records) = len(keys)
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
    SELECT first_position + idx AS position, page, idx,
           CASE WHEN json_type(id_json) = 'VARCHAR' THEN id_json ->> '$' END AS id,
           {downloads}, {all_time}, {likes},
           CASE WHEN json_type(r.tags) = 'ARRAY' THEN r.tags ->> '$[*]' END AS tags,
           {pipeline}, {library}, {created}, {modified},
           CASE WHEN json_type(r.cardData) = 'OBJECT' THEN r.cardData::VARCHAR END AS card,
           CASE json_type(r.gated) WHEN 'BOOLEAN' THEN r.gated::VARCHAR WHEN 'VARCHAR' THEN r.gated ->> '$' END
               AS gated,
           r.gated IS NULL OR json_type(r.gated) = 'BOOLEAN'
               OR (json_type(r.gated) = 'VARCHAR' AND r.gated ->> '$' IN ('auto', 'manual')) AS gated_ok,
           CASE WHEN st_type = 'OBJECT' THEN {total} END AS safetensors_total,
           CASE WHEN bm_type = 'OBJECT' AND bm_entries IS NOT NULL
                THEN list_transform(bm_entries, lambda e: {{'id': e.id ->> '$', 'rel': bm_rel, 'bad': false}})
                ELSE [] END AS declared_bases,
           keys_once AND (id_json IS NULL OR json_type(id_json) = 'VARCHAR')
               AND {downloads_ok} AND {all_time_ok} AND {likes_ok}
               AND (r.tags IS NULL OR (json_type(r.tags) = 'ARRAY' AND coalesce(list_bool_and(list_transform(
                    json_type(r.tags, '$[*]'), lambda t: t = 'VARCHAR')), TRUE)))
               AND {pipeline_ok} AND {library_ok} AND {created_ok} AND {modified_ok}
               AND (r.cardData IS NULL OR json_type(r.cardData) = 'OBJECT')
               AND (r.safetensors IS NULL OR (st_type = 'OBJECT' AND st_once
                    AND (st_total IS NULL OR json_type(st_total) = 'NULL' OR {total_ok})))
               AND (r.baseModels IS NULL OR (bm_type = 'OBJECT' AND bm_once
                    AND (bm_relation IS NULL OR json_type(bm_relation) IN ('VARCHAR', 'NULL'))
                    AND (bm_models IS NULL OR json_type(bm_models) IN ('ARRAY', 'NULL')) AND bm_ids_text))
               AS source_ok,
           -- what the per-record loop's cut reads: an int (or bool) downloads, else 0
           CASE json_type(r.downloads) WHEN 'BOOLEAN' THEN r.downloads::BOOLEAN::BIGINT
                WHEN 'UBIGINT' THEN TRY_CAST(r.downloads AS BIGINT) WHEN 'BIGINT' THEN TRY_CAST(r.downloads AS BIGINT)
                ELSE 0 END AS cut_downloads,
           NOT keys_once OR json_type(r.downloads) = 'DOUBLE'
               OR (json_type(r.downloads) IN {_INTS} AND TRY_CAST(r.downloads AS BIGINT) IS NULL) AS cut_doubtful
    FROM fields
    RETURNING position, cut_downloads, cut_doubtful
    """


_KEEP = b'"[]{}\\'
_DROP = bytes(i for i in range(256) if i not in _KEEP)
_STEP = np.zeros(256, np.int8)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1


def nesting_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored)."""
    structure = body.translate(None, _DROP)
    if b"\\" in structure:  # escaped quotes or backslashes: drop the escapes first (rare: costs a pass more)
        structure = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _DROP)
    marks = np.frombuffer(structure, np.uint8)
    if not len(marks):
        return 0
    outside = (np.cumsum(marks == ord('"'), dtype=np.int32) & 1) == 0
    return int(np.cumsum(_STEP[marks] * outside, dtype=np.int32).max())


@dataclass
class StagedPage:
    """A page whose records are in ``sync_source``: where they start and what the listing cuts read."""

    number: int
    key: int  # the page's key in the stager (its body is kept until the next flush)
    first_position: int
    cut_downloads: np.ndarray[Any, np.dtype[np.int64]]
    cut_doubtful: bool

    @property
    def records(self) -> int:
        """How many records the page holds."""
        return len(self.cut_downloads)


class PageStager:
    """Stage ``/api/models`` page bodies for one :class:`SnapshotWriter`, validating them in batches.

    Positions are the records' places in the listing, counted across pages (and listings) in order, as the
    per-record route counts them. Call :meth:`flush` before anything else touches the writer (a page read by
    Python, a rejected page, the commit): rejections then arrive in the per-record route's order.
    """

    def __init__(self, writer: SnapshotWriter) -> None:
        self.writer = writer
        self.connection = writer.warehouse.connection
        self.next_position = 0
        self._bodies: dict[int, tuple[int, bytes]] = {}  # key -> (first position, body)
        self._pending_records = 0
        self._pending_bytes = 0
        self._key = 0
        self._sql = _page_sql()
        self.connection.execute(_SOURCE_TABLE)

    def read(self, number: int, body: bytes) -> Page:
        """The listing's page reader (``iter_pages(reader=...)``): staged when it can be, else read by Python."""
        staged = self.stage(number, body)
        if staged is not None:
            return Page(number, staged=staged, staged_records=staged.records)
        return parse_page(number, body)

    def claim_position(self) -> int:
        """The next record position (for a record the caller hands to ``add_raw`` itself)."""
        position = self.next_position
        self.next_position += 1
        return position

    def stage(self, number: int, body: bytes) -> StagedPage | None:
        """Stage a page's records, or None when Python must read the page (see the module docstring)."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if nesting_depth(body) > MAX_FAST_DEPTH:
            return None
        self._key += 1
        # A registered table, not a parameter: DuckDB folds a constant body into every use of it (10x slower).
        pages = pa.table(
            {
                "page": pa.array([self._key], pa.int64()),
                "first_position": pa.array([self.next_position], pa.int64()),
                "body": pa.array([text], pa.string()),
            }
        )
        self.connection.register("sync_pages", pages)
        try:
            returned = self.connection.execute(self._sql).fetchnumpy()
        finally:
            self.connection.unregister("sync_pages")
        cut = np.asarray(returned["cut_downloads"], dtype=np.int64)
        if not len(cut):
            return None  # empty, doubtful or unreadable: Python reads it (cheap for the empty ones)
        doubtful = bool(np.asarray(returned["cut_doubtful"]).any())
        page = StagedPage(number, self._key, self.next_position, cut, doubtful)
        self._bodies[self._key] = (self.next_position, body)
        self.next_position += page.records
        self._pending_records += page.records
        self._pending_bytes += len(body)
        return page

    def take(self, page: StagedPage, min_downloads: int | None, room: int | None) -> tuple[int, bool]:
        """How many of the page's records the listing takes (its cuts applied) and whether the listing ends.

        ``room`` is how many more records the listing may take (``--limit``); records past the cut are unstaged.
        """
        cut = page.records
        if min_downloads is not None:
            if page.cut_doubtful:
                items = parse_page(page.number, self._bodies[page.key][1]).items  # DuckDB read it: Python does too
                under = [i for i, raw in enumerate(items) if listing_downloads(raw) < min_downloads]
            else:
                under = np.flatnonzero(page.cut_downloads < min_downloads).tolist()
            cut = under[0] if under else page.records
        taken = cut if room is None else min(cut, room)
        done = cut < page.records or (room is not None and taken >= room)
        if taken < page.records:
            end = page.first_position + taken
            self.connection.execute(
                "DELETE FROM sync_source WHERE position >= ? AND position < ?",
                [end, page.first_position + page.records],
            )
            self._pending_records -= page.records - taken
            self.next_position = end
        return taken, done

    @property
    def pending(self) -> bool:
        """Whether staged rows wait for validation (past the batch size: call :meth:`flush`)."""
        return self._pending_records >= FLUSH_RECORDS or self._pending_bytes >= FLUSH_BYTES

    def flush(self) -> None:
        """Validate the staged rows: clean ones go to the writer's staging, the others to ``add_raw``."""
        if not self._bodies:
            return
        source = """SELECT position, id, downloads, downloads_all_time, likes, tags, pipeline_tag, library_name,
                           created_at, last_modified, card, gated, gated_ok, safetensors_total, declared_bases,
                           source_ok FROM sync_source"""
        unclean = self.writer.stage_query(validation_sql(source, self.writer.not_after), [])
        if unclean:
            located = self.connection.execute(
                "SELECT position, page, idx FROM sync_source WHERE position IN (SELECT unnest($p)) ORDER BY position",
                {"p": unclean},
            ).fetchall()
            for position, raw in self._read_back(located):
                self.writer.add_raw(raw, position)
        self.connection.execute("DELETE FROM sync_source")
        self._bodies.clear()
        self._pending_records = 0
        self._pending_bytes = 0

    def _read_back(self, located: list[tuple[int, int, int]]) -> list[tuple[int, Any]]:
        """The raw records at these (position, page, index), as Python's json reads them."""
        by_page: dict[int, list[tuple[int, int]]] = {}
        for position, key, index in located:
            by_page.setdefault(int(key), []).append((int(position), int(index)))
        found: list[tuple[int, Any]] = []
        for key, wanted in by_page.items():
            body = self._bodies[key][1].decode("utf-8")
            texts = self.connection.execute(
                "SELECT json_extract($body, $paths)::VARCHAR[]",
                {"body": body, "paths": [f"$[{index}]" for _, index in wanted]},
            ).fetchall()[0][0]
            for (position, _), text in zip(wanted, texts, strict=True):
                found.append((position, json.loads(text)))
        found.sort(key=lambda pair: pair[0])
        return found

    def close(self) -> None:
        """Drop the temporary table (after the last flush)."""
        self.connection.execute("DROP TABLE IF EXISTS sync_source")


def listing_downloads(raw: object) -> int:
    """The per-record loop's reading of a record's downloads for the ``--min-downloads`` cut."""
    value = raw.get("downloads") if isinstance(raw, dict) else None
    return value if isinstance(value, int) else 0
