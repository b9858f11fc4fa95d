"""Reading ``/api/models`` page by page through huggingface_hub's HTTP stack.

We call the endpoint that ``HfApi.list_models`` calls, with the same client (``HF_ENDPOINT``, ``HF_TOKEN``,
proxies, user agent, retries with backoff on 429/5xx honouring ``Retry-After``), but keep each page's raw
JSON: ``list_models`` builds a ``ModelInfo`` per record and one malformed record would abort the whole
iteration, while a sync of two million models must reject that record and go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, get_args

import httpx2
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
from huggingface_hub.hf_api import ExpandModelProperty_T
from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_backoff

from modelrace.errors import HubError

# What a sync asks the Hub to include in each model object (all valid `expand` values of list_models).
SYNC_EXPAND: Final[tuple[str, ...]] = (
    "author",
    "downloads",
    "downloadsAllTime",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "lastModified",
    "gated",
    "cardData",
    "safetensors",
    "baseModels",
)
assert set(SYNC_EXPAND) <= set(get_args(ExpandModelProperty_T)), "SYNC_EXPAND drifted from huggingface_hub"
PAGE_SIZE: Final = 1000  # the Hub's largest page


@dataclass
class Page:
    """One page of the listing: its records, or the reason it could not be read."""

    number: int
    items: list[Any] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class ListingQuery:
    """One listing of ``/api/models``: filters, sort and what to expand."""

    pipeline_tag: str | None = None
    author: str | None = None
    sort: str = "downloads"
    expand: bool = True
    page_size: int = PAGE_SIZE

    def params(self) -> dict[str, Any]:
        """The query parameters, as ``HfApi.list_models`` would send them."""
        params: dict[str, Any] = {"sort": self.sort, "limit": self.page_size}
        if self.pipeline_tag:
            params["pipeline_tag"] = self.pipeline_tag
        if self.author:
            params["author"] = self.author
        if self.expand:
            params["expand"] = list(SYNC_EXPAND)
        return params


def iter_pages(api: HfApi, query: ListingQuery, max_retries: int = 5, timeout_s: float = 60.0) -> Iterator[Page]:
    """Yield the listing's pages, following the ``Link: rel="next"`` header; a bad body costs only its page."""
    url: str | None = f"{api.endpoint.rstrip('/')}/api/models"
    params: dict[str, Any] | None = query.params()
    headers = build_hf_headers(token=api.token, library_name="modelrace")
    number = 0
    while url is not None:
        try:
            response = http_backoff(
                "GET", url, params=params, headers=headers, timeout=timeout_s, max_retries=max_retries
            )
            hf_raise_for_status(response)
        except OfflineModeIsEnabled:
            raise HubError("HF_HUB_OFFLINE is set, so the Hub cannot be listed; unset it to sync") from None
        except HfHubHTTPError as error:
            status = error.response.status_code if error.response is not None else "?"
            raise HubError(f"the Hub at {api.endpoint} answered HTTP {status} for {url}") from None
        except httpx2.HTTPError as error:
            raise HubError(
                f"cannot reach the Hub at {api.endpoint} ({type(error).__name__}: {error}); "
                "check the network, or set HF_ENDPOINT to a mirror"
            ) from None
        next_link = response.links.get("next", {}).get("url")
        try:
            body = json.loads(response.content.decode("utf-8", "surrogateescape"))
        except ValueError as error:
            yield Page(number, error=f"page {number} is not JSON ({error})")
        else:
            if isinstance(body, list):
                yield Page(number, items=body)
            else:
                yield Page(number, error=f"page {number} is a JSON {type(body).__name__}, not a list")
        number += 1
        url, params = next_link, None  # the next link carries the query
