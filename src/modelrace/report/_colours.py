"""One colour per country, the same in every chart: Paul Tol's colour-blind-safe schemes, with fixed colours for
the special values and one grey for the countries outside the map."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import altair as alt

from modelrace.knowledge import MULTINATIONAL, UNATTRIBUTED, country_label

# Paul Tol's 'bright' scheme first, then his 'muted' and Okabe-Ito hues that stay apart from it for the common
# colour-vision deficiencies (https://personal.sron.nl/~pault/data/colourschemes.pdf). One fixed colour per
# country: the countries that lead the race get the most distinct hues.
COUNTRY_COLOURS: Final[dict[str, str]] = {
    "US": "#4477AA",  # blue
    "CN": "#EE6677",  # red
    "FR": "#228833",  # green
    "GB": "#CCBB44",  # yellow
    "DE": "#66CCEE",  # cyan
    "KR": "#AA3377",  # purple
    "JP": "#332288",  # indigo
    "CA": "#E69F00",  # orange
    "AE": "#882255",  # wine
    "SG": "#44AA99",  # teal
    "IL": "#999933",  # olive
}
OTHER_COUNTRIES: Final = "other countries"
SPECIAL_COLOURS: Final[dict[str, str]] = {
    MULTINATIONAL: "#5A5A5A",
    UNATTRIBUTED: "#C8C8C8",
    OTHER_COUNTRIES: "#949494",
}
CLOSED_COLOUR: Final = "#222222"
# Categories that are not countries (relations, sides, classes): Paul Tol's 'light' scheme, pale next to the
# saturated country hues so that no category reads as a country. Its two blues are kept apart (first and seventh):
# a chart of six categories (the chips' export classes) showed them side by side, near-identical.
CATEGORY_COLOURS: Final = ["#77AADD", "#EE8866", "#EEDD88", "#44BB99", "#FFAABB", "#BBCC33", "#99DDFF", "#DDDDDD"]
# Two views of the same figure (by uploader, by root family): neutral shades, no hue.
VIEW_COLOURS: Final = ["#3B4A5A", "#9AA7B4"]


def country_key(code: str | None) -> str:
    """The label a country is drawn under: "CN – China", a special value, or "other countries"."""
    if code is None:
        return UNATTRIBUTED
    if code in COUNTRY_COLOURS:
        return country_label(code)
    if code in SPECIAL_COLOURS:
        return code
    return OTHER_COUNTRIES


def country_colour(label: str) -> str:
    """The colour of a label made by :func:`country_key`, identical in every chart."""
    if label in SPECIAL_COLOURS:
        return SPECIAL_COLOURS[label]
    code = label.split(" – ", 1)[0]
    return COUNTRY_COLOURS.get(code, SPECIAL_COLOURS[OTHER_COUNTRIES])


def _country_order(label: str) -> int:
    codes = list(COUNTRY_COLOURS)
    code = label.split(" – ", 1)[0]
    if code in codes:
        return codes.index(code)
    return len(codes) + list(SPECIAL_COLOURS).index(label) if label in SPECIAL_COLOURS else len(codes) + 9


def country_scale(labels: Iterable[str]) -> Any:
    """A colour scale over the labels present, each in its fixed colour, in a fixed legend order."""
    domain = sorted(set(labels), key=_country_order)
    return alt.Scale(domain=domain, range=[country_colour(label) for label in domain])
