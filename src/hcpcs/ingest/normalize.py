"""Turn raw field text from any reader into a canonical record, checking each value."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from hcpcs.ingest.layout import DETAIL_SLOTS
from hcpcs.model import DATE_FIELDS, LIST_FIELDS, CodeRecord

_CODE_CHARS = re.compile(r"[A-Z0-9]+")
_LIST = frozenset(LIST_FIELDS)
_DATES = frozenset(DATE_FIELDS)


class ValueProblem(ValueError):
    """A field value breaks the layout; the reader adds file and place."""


def fold(text: str) -> str:
    """Trim and fold every run of whitespace to one space."""
    return " ".join(text.split())


def check_code(code: str, kind: str) -> str:
    """Return the code if it has the shape of its kind, else raise ValueProblem."""
    width = 5 if kind == "procedure" else 2
    if not code:
        raise ValueProblem("the code is blank")
    if not _CODE_CHARS.fullmatch(code):
        raise ValueProblem(f"code {code!r} has characters outside A-Z and 0-9")
    if len(code) != width:
        raise ValueProblem(f"{kind} code {code!r} is not {width} characters long")
    return code


@lru_cache(maxsize=4096)
def iso_date(raw: str, field: str) -> str | None:
    """CMS YYYYMMDD (text or a number like 20201001.0) as ISO YYYY-MM-DD; blank is None."""
    text = raw.strip()
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) != 8 or not text.isdigit():
        raise ValueProblem(f"{field}: {raw.strip()!r} is not a date in YYYYMMDD form")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        raise ValueProblem(f"{field}: {text!r} is an impossible date") from None


def base_units(raw: str) -> int | None:
    """Anesthesia base units as an integer; blank is None."""
    text = raw.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text:
        return None
    if not text.isdigit():
        raise ValueProblem(f"anesthesia_base_units: {text!r} is not a whole number")
    return int(text)


def _plan() -> tuple[list, list, list, int]:
    """Indexes into the flat detail values, grouped by how each field is read."""
    texts, lists, dates, units, index = [], [], [], -1, 0
    for slot in DETAIL_SLOTS:
        if slot.name in _LIST:
            lists.append((slot.name, index, index + slot.occurs))
        elif slot.name in _DATES:
            dates.append((slot.name, index))
        elif slot.name == "anesthesia_base_units":
            units = index
        else:
            texts.append((slot.name, index))
        index += slot.occurs
    return texts, lists, dates, units


_TEXTS, _LISTS, _DATES_AT, _UNITS_AT = _plan()
#: How many raw values a first line carries after the long description.
DETAIL_VALUE_COUNT = sum(slot.occurs for slot in DETAIL_SLOTS)


@dataclass(frozen=True, slots=True)
class Misfit:
    """A value that does not fit its field (the field is left null; the raw text is kept)."""

    field: str
    raw: str
    problem: str


def _checked(read, raw: str, name: str, misfits: list[Misfit] | None):
    try:
        return read(raw, name)
    except ValueProblem as problem:
        if misfits is None:
            raise
        misfits.append(Misfit(name, raw, str(problem)))
        return None


def _units(raw: str, name: str) -> int | None:
    return base_units(raw)


def build_record(
    code: str,
    kind: str,
    release: str | None,
    long_text: str,
    flat: Sequence[str],
    misfits: list[Misfit] | None = None,
) -> CodeRecord:
    """Build a canonical record from the raw detail values in layout order (DETAIL_SLOTS).

    A date or number that does not read raises ValueProblem, or, given a `misfits` list,
    is added to it and left null.
    """
    values = [v.strip() for v in flat]
    fields = {name: values[at] or None for name, at in _TEXTS}
    for name, begin, end in _LISTS:
        fields[name] = [v for v in values[begin:end] if v]
    for name, at in _DATES_AT:
        fields[name] = _checked(iso_date, values[at], name, misfits) if values[at] else None
    units = values[_UNITS_AT]
    fields["anesthesia_base_units"] = _checked(_units, units, "anesthesia_base_units", misfits) if units else None
    return CodeRecord(code, release, kind, fold(long_text) or None, **fields)
