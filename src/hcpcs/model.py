"""The canonical HCPCS record and release: the same names in Python, JSON and exports."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: Fields holding lists (CMS repeats them: PRICE1-4, CIM1-3, ...), in file order.
LIST_FIELDS = (
    "pricing_indicators",
    "cim_references",
    "mcm_references",
    "lab_certifications",
    "cross_references",
    "type_of_service",
)

#: Fields holding ISO dates (YYYY-MM-DD) or None.
DATE_FIELDS = (
    "asc_effective_date",
    "mog_effective_date",
    "added_date",
    "action_effective_date",
    "termination_date",
)


@dataclass(slots=True)
class CodeRecord:
    """One HCPCS Level II procedure or modifier as one release publishes it."""

    code: str
    release: str | None
    kind: str
    long_description: str | None = None
    short_description: str | None = None
    pricing_indicators: list[str] = field(default_factory=list)
    multiple_pricing_indicator: str | None = None
    cim_references: list[str] = field(default_factory=list)
    mcm_references: list[str] = field(default_factory=list)
    statute: str | None = None
    lab_certifications: list[str] = field(default_factory=list)
    cross_references: list[str] = field(default_factory=list)
    coverage: str | None = None
    asc_group: str | None = None
    asc_effective_date: str | None = None
    mog_payment_group: str | None = None
    mog_payment_policy_indicator: str | None = None
    mog_effective_date: str | None = None
    processing_note: str | None = None
    betos: str | None = None
    type_of_service: list[str] = field(default_factory=list)
    anesthesia_base_units: int | None = None
    added_date: str | None = None
    action_effective_date: str | None = None
    termination_date: str | None = None
    action_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict in canonical field order (lists copied)."""
        return {
            name: list(value) if isinstance(value, list) else value
            for name, value in ((f, getattr(self, f)) for f in FIELD_NAMES)
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CodeRecord:
        """Build a record from a dict with the canonical names (extra keys ignored)."""
        return cls(**{name: data[name] for name in FIELD_NAMES if name in data})


#: Every canonical field name, in canonical order.
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(CodeRecord))


@dataclass(slots=True, frozen=True)
class Source:
    """A file a release was read from, with its sha256."""

    file: str
    sha256: str


@dataclass(slots=True, frozen=True)
class Release:
    """A stored release: its label, effective date, sources and counts."""

    release: str
    effective_date: str
    sources: tuple[Source, ...]
    procedures: int
    modifiers: int
    loaded_at: str

    def to_dict(self) -> dict[str, Any]:
        """The release as JSON-ready data."""
        return {
            "release": self.release,
            "effective_date": self.effective_date,
            "sources": [{"file": s.file, "sha256": s.sha256} for s in self.sources],
            "procedures": self.procedures,
            "modifiers": self.modifiers,
            "loaded_at": self.loaded_at,
        }
