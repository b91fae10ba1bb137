"""What a record file yields: records, the values that did not fit their fields, notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from hcpcs.model import CodeRecord


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A value CMS's file has where the layout wants something else: the field is left null."""

    code: str
    field: str
    raw: str
    file: str
    place: str  # a line number, or "row N" of a workbook
    problem: str

    @property
    def message(self) -> str:
        """`FILE:PLACE: PROBLEM`, as `hcpcs load` prints it after 'warning: '."""
        return f"{self.file}:{self.place}: {self.problem}"


@dataclass(slots=True)
class Parsed:
    """What a record file yields: records in file order, misfit values, and notes for the user."""

    records: list[CodeRecord]
    anomalies: list[Anomaly] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
