"""Answers from the drug tables: which quarter answers a date, a code's payment limit, an NDC's
codes and billing units. Every answer carries the quarter that gave it and whether the date asked
is past the newest stored quarter (a quarter covers its own three months)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hcpcs.drugs.errors import NoPaymentLimitError, NoQuarterError, UnknownNdcError
from hcpcs.drugs.kinds import CROSSWALK, KIND_NAMES, PAYMENT_LIMITS
from hcpcs.drugs.ndc import normalize_ndc
from hcpcs.drugs.read import LEVEL_I, LEVEL_II
from hcpcs.drugs.storage import DrugQuarter, DrugTables
from hcpcs.errors import HcpcsError, MalformedCodeError
from hcpcs.history.currency import today

#: Where a user gets newer drug files (named in every "past the stored data" warning).
CMS_ASP_PAGE = "https://www.cms.gov/medicare/payment/part-b-drugs/asp-pricing-files"
_QUARTER_LABEL = re.compile(r"\d{4}-(01|04|07|10)")


class BadQuarterError(HcpcsError):
    """A quarter label that is not YYYY-MM of a quarter's first month."""


@dataclass(frozen=True, slots=True)
class QuarterChoice:
    """The stored quarter answering a date, the dates it covers, and whether the date is past them."""

    date: str | None  # None when a quarter was named
    quarter: str
    covers_from: str
    covers_until: str
    latest_quarter: str
    beyond_latest_quarter: bool

    @property
    def message(self) -> str | None:
        """One line for a user when the date is past the stored drug data (None otherwise)."""
        if not self.beyond_latest_quarter:
            return None
        return (
            f"{self.date} is past the stored drug data: the newest stored quarter is {self.latest_quarter} "
            f"(covers {self.covers_from} to {self.covers_until}); answered from it. For newer payment limits: "
            f"download the quarter's files from {CMS_ASP_PAGE} and run `hcpcs load FILE`"
        )


def _stored(tables: DrugTables, kind: str) -> list[DrugQuarter]:
    quarters = [q for q in tables.quarters() if kind in q.files]
    if not quarters:
        raise NoQuarterError(f"the store holds no {KIND_NAMES[kind]}; load one with `hcpcs load FILE` ({CMS_ASP_PAGE})")
    return quarters


def choose_quarter(quarters: list[DrugQuarter], on: str | None = None, quarter: str | None = None) -> QuarterChoice:
    """The quarter named, else the stored quarter covering the date, else (no date) the newest quarter.
    A date past the newest quarter is answered by it, and says so; a date before or between stored
    quarters is an error naming the nearest."""
    labels = [q.quarter for q in quarters]
    latest = quarters[-1]
    if quarter is not None:
        if not _QUARTER_LABEL.fullmatch(quarter):
            raise BadQuarterError(f"{quarter!r} is not a drug quarter (YYYY-MM of its first month: 2026-01)")
        if quarter not in labels:
            raise NoQuarterError(f"drug quarter {quarter} is not stored (stored: {', '.join(labels)})")
        chosen = quarters[labels.index(quarter)]
        if on is not None and not chosen.effective_from <= on <= chosen.effective_until:
            # Both given: they must agree. There is no answer for a date outside the quarter asked.
            raise NoQuarterError(f"drug quarter {quarter} does not cover {on} (give the date or the quarter)")
        return QuarterChoice(None, quarter, chosen.effective_from, chosen.effective_until, latest.quarter, False)
    if on is None:  # the newest quarter, saying so when today is past it
        date = today()
        beyond = date > latest.effective_until
        return QuarterChoice(
            date, latest.quarter, latest.effective_from, latest.effective_until, latest.quarter, beyond
        )
    date = on
    for candidate in quarters:
        if candidate.effective_from <= date <= candidate.effective_until:
            return QuarterChoice(date, candidate.quarter, candidate.effective_from, candidate.effective_until,
                                 latest.quarter, False)  # fmt: skip
    if date > latest.effective_until:
        return QuarterChoice(date, latest.quarter, latest.effective_from, latest.effective_until, latest.quarter, True)
    before = [q.quarter for q in quarters if q.effective_until < date]
    after = [q.quarter for q in quarters if q.effective_from > date]
    nearest = ", ".join(x for x in (before[-1] if before else None, after[0] if after else None) if x)
    raise NoQuarterError(f"no stored drug quarter covers {date} (nearest stored: {nearest})")


def _nearest(labels: list[str], quarter: str) -> str | None:
    """The label nearest to a quarter (a later one on a tie)."""

    def months(label: str) -> int:
        return int(label[:4]) * 12 + int(label[5:7])

    return min(labels, key=lambda label: (abs(months(label) - months(quarter)), -months(label)), default=None)


def drug_code(text: str) -> str:
    """A Level II code as typed (any case, spaces around); MalformedCodeError otherwise."""
    code = text.strip().upper()
    if re.fullmatch(LEVEL_I, code):
        raise MalformedCodeError(f"{code} is a Level I (CPT) code: CPT rows of CMS's drug files are not stored")
    if not re.fullmatch(LEVEL_II, code):
        raise MalformedCodeError(f"{text.strip()!r} is not a HCPCS Level II code (a letter and four digits: J0696)")
    return code


def number(value: float | None) -> float | int | None:
    """A stored number as JSON shows it: 4, not 4.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


@dataclass(frozen=True, slots=True)
class Price:
    """A code's row of a quarter's payment limit file (dollars per billing unit)."""

    code: str
    quarter: str
    dosage: str | None
    payment_limit: float | None
    coinsurance_percentage: float | None
    vaccine_awp_percentage: float | None
    vaccine_limit: float | None
    blood_awp_percentage: float | None
    blood_limit: float | None
    clotting_factor: str | None
    notes: str | None
    choice: QuarterChoice = field(compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `hcpcs price` and /api/v1/codes/{code}/price."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "choice"}


def price(tables: DrugTables, code: str, on: str | None = None, quarter: str | None = None) -> Price:
    """A code's payment limit in the quarter chosen (see choose_quarter); NoPaymentLimitError naming
    the nearest quarter that has one when the quarter's file lacks the code."""
    code = drug_code(code)
    choice = choose_quarter(_stored(tables, PAYMENT_LIMITS), on, quarter)
    row = tables.payment_limit(code, choice.quarter)
    if row is None:
        having = tables.quarters_with(PAYMENT_LIMITS, "code", code)
        hint = (
            f"nearest quarter with one: {_nearest(having, choice.quarter)}" if having else "none in any stored quarter"
        )
        raise NoPaymentLimitError(f"{code} has no payment limit in drug quarter {choice.quarter} ({hint})")
    return price_of(row, choice)


def price_of(row: dict[str, Any], choice: QuarterChoice) -> Price:
    """A stored payment limit row as the answer for the quarter chosen."""
    return Price(quarter=choice.quarter, choice=choice, **{k: v for k, v in row.items() if k != "short_description"})


@dataclass(frozen=True, slots=True)
class NdcAnswer:
    """The codes an NDC package bills as in a quarter's crosswalk, with billing units."""

    ndc: str
    quarter: str
    mappings: list[dict[str, Any]]
    choice: QuarterChoice = field(compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `hcpcs ndc` and /api/v1/ndc/{ndc}."""
        return {"ndc": self.ndc, "quarter": self.quarter, "mappings": self.mappings}


MAPPING_KEYS = (
    "code", "short_description", "labeler", "drug_name", "hcpcs_dosage", "package_size", "package_quantity",
    "billing_units_per_item", "billing_units_per_package",
)  # fmt: skip
_NUMBERS = ("package_size", "package_quantity", "billing_units_per_item", "billing_units_per_package")


def mapping(row: dict[str, Any]) -> dict[str, Any]:
    """A crosswalk row as an NDC answer's mapping (numbers as JSON shows them)."""
    return {key: number(row[key]) if key in _NUMBERS else row[key] for key in MAPPING_KEYS}


def ndc(tables: DrugTables, text: str, on: str | None = None, quarter: str | None = None) -> NdcAnswer:
    """An NDC's codes in the quarter chosen; UnknownNdcError (naming quarters that list it) otherwise."""
    normalized = normalize_ndc(text)
    choice = choose_quarter(_stored(tables, CROSSWALK), on, quarter)
    rows = tables.crosswalk_of_ndc(normalized, choice.quarter)
    if not rows:
        having = tables.quarters_with(CROSSWALK, "ndc", normalized)
        hint = f"; it is in the crosswalk of {', '.join(having)}" if having else ""
        raise UnknownNdcError(
            f"NDC {normalized} is not in the NDC-HCPCS crosswalk of drug quarter {choice.quarter}{hint}"
        )
    return NdcAnswer(normalized, choice.quarter, [mapping(row) for row in rows], choice)
