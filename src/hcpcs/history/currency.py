"""How current an answer is: which stored release answers a date, and whether the date is past
what the newest stored release covers.

A release covers the dates from its effective date to the day before the next stored release;
the newest covers its own calendar quarter (2026-07 covers 2026-07-01 to 2026-09-30). A date
after that is still answered by the newest release, but the answer says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

#: CMS's page listing the quarterly HCPCS release zips: where a user gets newer files, and how
#: they load them (named in every "past its data" warning and by `hcpcs update`).
CMS_QUARTERLY_PAGE = "https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update"
LOAD_HINT = "`hcpcs update`, or download the release zip from {page} and run `hcpcs load FILE.zip`"


def quarter_end(label: str) -> str:
    """The last day of the calendar quarter a release label's month falls in (2026-07 -> 2026-09-30)."""
    year, month = int(label[:4]), int(label[5:7])
    last_month = (month - 1) // 3 * 3 + 3
    return f"{year:04d}-{last_month:02d}-{calendar.monthrange(year, last_month)[1]:02d}"


def today() -> str:
    """Today's date, ISO."""
    return dt.date.today().isoformat()


@dataclass(frozen=True, slots=True)
class Currency:
    """The release answering a date, the dates it covers, and whether the date is past the data."""

    date: str
    release: str
    covers_from: str
    covers_until: str
    latest_release: str
    beyond_latest_release: bool
    before_earliest_release: bool

    @property
    def message(self) -> str | None:
        """One line for a user when the date is past the data (None when it is not)."""
        if not self.beyond_latest_release:
            return None
        return (
            f"{self.date} is past the stored data: the newest stored release is {self.latest_release} "
            f"(covers {self.covers_from} to {self.covers_until}); answered from it. For newer codes: "
            + LOAD_HINT.format(page=CMS_QUARTERLY_PAGE)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (with the message)."""
        return {**{name: getattr(self, name) for name in self.__slots__}, "message": self.message}


def currency(labels: list[str], on: str | None = None) -> Currency:
    """The Currency of a date (default: today) over the stored release labels (oldest first)."""
    if not labels:
        raise ValueError("no stored release")
    date = on or today()
    in_effect = [label for label in labels if f"{label}-01" <= date]
    release = in_effect[-1] if in_effect else labels[0]
    position = labels.index(release)
    if position + 1 < len(labels):
        following = dt.date.fromisoformat(f"{labels[position + 1]}-01")
        until = (following - dt.timedelta(days=1)).isoformat()
    else:
        until = quarter_end(release)
    latest = labels[-1]
    return Currency(
        date=date,
        release=release,
        covers_from=f"{release}-01",
        covers_until=until,
        latest_release=latest,
        beyond_latest_release=date > quarter_end(latest),
        before_earliest_release=not in_effect,
    )
