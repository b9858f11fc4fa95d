"""Countries: codes, the names labels and sentences use, and the spellings sources use (data/countries.yaml)."""

from __future__ import annotations

from functools import cache
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from modelrace.knowledge._load import load_data

MULTINATIONAL: Final = "multinational"
UNATTRIBUTED: Final = "unattributed"


class Country(BaseModel):
    """One country (or one of the special values ``multinational`` and ``unattributed``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    sentence: str | None = None
    aliases: list[str] = Field(default_factory=list)


class _CountriesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    countries: dict[str, Country]
    special: dict[str, Country]


@cache
def _countries() -> _CountriesFile:
    return load_data("countries.yaml", _CountriesFile)


@cache
def _by_alias() -> dict[str, str]:
    found: dict[str, str] = {}
    for table in (_countries().countries, _countries().special):
        for code, country in table.items():
            for spelling in (code, country.name, *country.aliases):
                found[spelling.casefold()] = code
    return found


def country_name(code: str) -> str:
    """A country code in words, for sentences ("CN" -> "China", "US" -> "the United States")."""
    country = _countries().countries.get(code) or _countries().special.get(code)
    if country is None:
        return code
    return country.sentence or country.name


def country_label(code: str) -> str:
    """A country as charts and tables label it: "CN – China"; special values stay as they are."""
    country = _countries().countries.get(code)
    return f"{code} – {country.name}" if country else code


def country_code(spelling: str) -> str | None:
    """The code for a source's spelling ("United States of America" -> "US"), or None when unknown."""
    return _by_alias().get(spelling.strip().casefold())


def known_countries() -> list[str]:
    """Every country code the registry knows, sorted."""
    return sorted(_countries().countries)
