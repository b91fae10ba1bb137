"""Read everything one release is made of into canonical records and side tables."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from hcpcs.errors import InputError
from hcpcs.ingest.fixed_width import read_text
from hcpcs.ingest.labels import is_label, label_from_dates
from hcpcs.ingest.noc import NocEntry, read_noc
from hcpcs.ingest.notes import read_notes
from hcpcs.ingest.package import CHANGES, NOC, NOTES, TEXT, WORKBOOK, Origin, discover, group_releases
from hcpcs.ingest.reports import ChangeEntry, read_report
from hcpcs.ingest.workbook import read_workbook
from hcpcs.model import FIELD_NAMES, CodeRecord


@dataclass(slots=True)
class ReleaseData:
    """One release as read from CMS's files, ready to store."""

    label: str
    records: list[CodeRecord]
    origins: list[Origin]
    record_file: str
    notes: dict[str, str] = field(default_factory=dict)
    noc: list[NocEntry] = field(default_factory=list)
    changes: list[ChangeEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    read_seconds: float = 0.0

    @property
    def effective_date(self) -> str:
        """The first day of the release's month."""
        return f"{self.label}-01"


def compare_records(text: list[CodeRecord], workbook: list[CodeRecord], workbook_name: str) -> list[str]:
    """Where the workbook disagrees with the (authoritative) text file, one line each."""
    by_code = {r.code: r for r in workbook}
    warnings = []
    for record in text:
        other = by_code.pop(record.code, None)
        if other is None:
            warnings.append(f"{workbook_name}: {record.code} is missing from the workbook")
            continue
        for name in FIELD_NAMES[3:]:
            ours, theirs = getattr(record, name), getattr(other, name)
            if ours != theirs:
                warnings.append(
                    f"{workbook_name}: {record.code} {name} is {theirs!r} in the workbook, {ours!r} in the text file"
                )
    warnings.extend(f"{workbook_name}: {code} is only in the workbook" for code in by_code)
    return warnings


def read_releases(paths: list[Path], label: str | None = None) -> list[ReleaseData]:
    """Read every release found in the paths; raises InputError on any damaged file."""
    if label is not None and not is_label(label):
        raise InputError("--release", None, f"{label!r} is not a release label (YYYY-MM, e.g. 2020-04)")
    groups = group_releases(discover(paths), label)
    if label is not None and len(groups) > 1:
        raise InputError("--release", None, f"names one release but the paths hold {len(groups)}")
    releases = []
    for group in groups:
        started = time.perf_counter()
        members = group.members
        text = members.get(TEXT)
        workbook = members.get(WORKBOOK)
        primary = text or workbook
        reader = read_text if primary is text else read_workbook
        records = reader(primary.data, primary.name, group.label)
        release_label = group.label or label_from_dates(r.action_effective_date for r in records)
        if release_label is None:
            raise InputError(primary.name, None, "cannot tell the release; give --release YYYY-MM")
        for record in records:
            record.release = release_label
        data = ReleaseData(release_label, records, list(group.origins.values()), primary.name)
        if text and workbook:
            data.warnings = compare_records(records, read_workbook(workbook.data, workbook.name), workbook.name)
        if NOTES in members:
            data.notes = read_notes(members[NOTES].data, members[NOTES].name)
        if NOC in members:
            data.noc = read_noc(members[NOC].data, members[NOC].name)
        if CHANGES in members:
            data.changes = read_report(members[CHANGES].data, members[CHANGES].name)
        data.read_seconds = time.perf_counter() - started
        releases.append(data)
    return releases
