"""What a record file yields: records, the values that did not fit their fields, notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from hcpcs.model import CodeRecord

#: More misfit values than this share of a file's records (and the floor) means the file does not
#: follow the layout rather than carrying a few odd values.
MISFIT_SHARE = 0.01
MISFIT_FLOOR = 25


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

    def check_misfits(self, file: str) -> Parsed:
        """Refuse a file where too many values do not fit their fields: it does not follow the layout."""
        from hcpcs.errors import InputError

        limit = max(MISFIT_FLOOR, int(len(self.records) * MISFIT_SHARE))
        if len(self.anomalies) > limit:
            first = self.anomalies[0]
            raise InputError(
                file,
                None,
                f"{len(self.anomalies)} values do not fit their fields (the first at {first.place}: {first.problem}); "
                "the file does not follow the HCPCS record layout",
            )
        return self
