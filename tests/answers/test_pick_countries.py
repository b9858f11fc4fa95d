"""`pick --exclude-country XX` (not a country) is refused clearly, never accepted silently (issue #29)."""

from __future__ import annotations

import pytest

from modelrace.answers._pick import _countries
from modelrace.errors import ConfigError


def test_a_two_letter_code_that_is_no_country_is_refused() -> None:
    with pytest.raises(ConfigError, match="--exclude-country 'XX': not a country code or name modelrace knows"):
        _countries(("XX",), "--exclude-country")
    assert _countries(("cn", "United States of America", "China"), "--exclude-country") == {"CN", "US"}
