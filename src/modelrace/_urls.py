"""URLs that may carry credentials (``HF_ENDPOINT=http://user:SECRET@host``): what may be stored or printed.

The credentials are for the request only; every stored field, message and printed line takes them out here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_USERINFO = re.compile(r"(?<=//)[^/\s@]*@")


def without_userinfo(url: str) -> str:
    """``url`` without ``user:password@``: what may be stored, printed or quoted in an error."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def scrubbed(text: str) -> str:
    """Text (an error message) with any URL's ``user:password@`` taken out."""
    return _USERINFO.sub("", text) if "@" in text else text
