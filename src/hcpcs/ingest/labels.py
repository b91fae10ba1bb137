"""Release labels (YYYY-MM, the month a release takes effect) from CMS names or data."""

from __future__ import annotations

import re
from collections.abc import Iterable

_LABEL = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_YEAR_MONTH = re.compile(r"(?<!\d)(20\d\d)-(0[1-9]|1[0-2])(?!\d)")
_HCPC_YEAR = re.compile(r"hcpcs?(\d{2}|\d{4})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = re.compile(r"(?<![a-z])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![a-z])")


def is_label(text: str) -> bool:
    """Whether text is a release label like 2020-04."""
    return _LABEL.fullmatch(text) is not None


def _year_month(name: str) -> tuple[int | None, int | None]:
    lowered = name.lower()
    both = _YEAR_MONTH.search(lowered)
    if both:
        return int(both[1]), int(both[2])
    year = None
    hcpc = _HCPC_YEAR.search(lowered)
    if hcpc:
        year = int(hcpc[1]) + (2000 if len(hcpc[1]) == 2 else 0)
    else:
        plain = _YEAR.search(lowered)
        year = int(plain[1]) if plain else None
    month = _MONTH.search(lowered)
    return year, _MONTHS[month[1]] if month else None


def label_from_names(names: Iterable[str]) -> str | None:
    """The label the names point to, most specific name first.

    A name with a year and a month (HCPC2026_JAN_ANWEB, April-2020-..., 2020-04)
    wins over one with a year only (HCPC2019_CONTR_ANWEB means January).
    """
    first_year = None
    for name in names:
        year, month = _year_month(name)
        if year and month:
            return f"{year:04d}-{month:02d}"
        first_year = first_year or year
    return f"{first_year:04d}-01" if first_year else None


def label_from_dates(action_effective_dates: Iterable[str | None]) -> str | None:
    """The label from the data: the month of the latest action effective date."""
    latest = max((d for d in action_effective_dates if d), default=None)
    return latest[:7] if latest else None
