"""Dates as users give them: ISO YYYY-MM-DD, checked, with a message naming the parameter."""

from __future__ import annotations

import datetime as dt

from hcpcs.errors import HcpcsError


class BadDateError(HcpcsError):
    """A date parameter that is not a real YYYY-MM-DD date."""


def parse_date(text: str, parameter: str) -> str:
    """The ISO date, or BadDateError naming the parameter."""
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise BadDateError(f"{parameter}: {text!r} is not a date (YYYY-MM-DD)") from None
