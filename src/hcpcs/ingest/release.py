"""Read everything one release is made of into canonical records and side tables."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from hcpcs.errors import InputError
from hcpcs.ingest.corrections import CorrectionsFile, read_corrections
from hcpcs.ingest.fixed_width import read_text
from hcpcs.ingest.kinds import CHANGES, CHANGES_BY_ACTION, LAYOUT, NOC, NOTES, TEXT, WORKBOOK
from hcpcs.ingest.labels import is_label, label_from_dates
from hcpcs.ingest.layout import check_layout
from hcpcs.ingest.noc import NocEntry, read_noc
from hcpcs.ingest.notes import read_notes
from hcpcs.ingest.package import Grouped, Member, ReleaseFiles, group_releases
from hcpcs.ingest.parsed import Anomaly, Parsed
from hcpcs.ingest.reports import ChangeEntry, read_report
from hcpcs.ingest.sources import Origin, find_files
from hcpcs.ingest.workbook import read_workbook
from hcpcs.model import FIELD_NAMES, CodeRecord


@dataclass(slots=True)
class ReleaseData:
    """One release as read from CMS's files, ready to store (records None: side files only)."""

    label: str
    records: list[CodeRecord] | None
    origins: list[Origin]
    record_file: str | None
    members: list[Member] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    noc: list[NocEntry] = field(default_factory=list)
    changes: list[ChangeEntry] = field(default_factory=list)
    corrections: list[CorrectionsFile] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    read_seconds: float = 0.0

    @property
    def effective_date(self) -> str:
        """The first day of the release's month."""
        return f"{self.label}-01"

    @property
    def ignored(self) -> list[Member]:
        """The files given for the release that were not read, with the reason."""
        return [m for m in self.members if not m.read]


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


def _parse(member: Member, label: str | None, strict: bool) -> Parsed:
    reader = read_text if member.role == TEXT else read_workbook
    return reader(member.data, member.name, label, strict)


def _other_text_files(group: ReleaseFiles, chosen: Member, label: str | None, records: list[CodeRecord]) -> list[str]:
    """A second text file for the release (a re-issue, a copy with a disclaimer): say whether it differs."""
    lines = []
    for member in group.members:
        if member.role != TEXT or member is chosen or member.found.sha256 == chosen.found.sha256:
            continue
        try:
            other = read_text(member.data, member.name, label).records
        except InputError as error:
            lines.append(f"{member.name}: not read ({error.problem}); {chosen.name} was read")
            continue
        theirs = {r.code: r.to_dict() for r in other}
        differing = sum(1 for r in records if theirs.pop(r.code, None) != r.to_dict()) + len(theirs)
        same = "the same records" if not differing else f"differs in {differing} codes"
        lines.append(f"{member.name}: {same}; {chosen.name} was read (the later version)")
    return lines


def _side_tables(data: ReleaseData, group: ReleaseFiles, strict: bool) -> None:
    """The files beside the records. One CMS reshaped so that it does not read is skipped with a
    warning (the records still load); --strict refuses the release instead."""

    def read(member: Member, reader):
        try:
            return reader(member)
        except InputError as error:
            if strict:
                raise
            member.read, member.note = False, f"could not be read: {error.problem}"
            data.warnings.append(f"{error}; the release loads without it")
            return None

    parts = group.parts
    if NOTES in parts:
        data.notes = read(parts[NOTES], lambda m: read_notes(m.data, m.name)) or {}
    if NOC in parts:
        data.noc = read(parts[NOC], lambda m: read_noc(m.data, m.name)) or []
    report = parts.get(CHANGES) or parts.get(CHANGES_BY_ACTION)
    if report is not None:
        data.changes = read(report, lambda m: read_report(m.data, m.name)) or []
    if LAYOUT in parts and parts[LAYOUT].name.lower().endswith(".txt"):
        text = parts[LAYOUT].data.decode("cp1252", "replace")
        data.warnings.extend(check_layout(text, parts[LAYOUT].name))
    batches = [read(m, lambda m: read_corrections(m.data, m.name, m.found.modified)) for m in group.corrections]
    data.corrections = [batch for batch in batches if batch is not None]


def read_release(group: ReleaseFiles, strict: bool = False) -> ReleaseData:
    """Read one release's files; raises InputError naming the file and place of any damage."""
    started = time.perf_counter()
    text, workbook = group.parts.get(TEXT), group.parts.get(WORKBOOK)
    primary = text or workbook
    records: list[CodeRecord] | None = None
    parsed: Parsed | None = None
    label = group.label
    if primary is not None:
        parsed = _parse(primary, label, strict)
        records = parsed.records
        label = label or label_from_dates(r.action_effective_date for r in records)
        if label is None:
            raise InputError(primary.name, None, "cannot tell the release; give --release YYYY-MM")
        for record in records:
            record.release = label
    elif label is None:
        raise InputError(", ".join(m.name for m in group.members), None, "cannot tell the release; give --release")
    data = ReleaseData(label, records, group.origins, primary.name if primary else None, group.members)
    if parsed is not None:
        data.anomalies = parsed.anomalies
        data.warnings.extend(parsed.notes)
        data.warnings.extend(_other_text_files(group, primary, label, records))
    if text and workbook:
        other = read_workbook(workbook.data, workbook.name, label)
        data.warnings.extend(compare_records(records, other.records, workbook.name))
    _side_tables(data, group, strict)
    data.read_seconds = time.perf_counter() - started
    return data


def find_releases(paths: list[Path], label: str | None = None) -> Grouped:
    """Every release's files in the paths (zips opened, folders walked), parts chosen."""
    if label is not None and not is_label(label):
        raise InputError("--release", None, f"{label!r} is not a release label (YYYY-MM, e.g. 2020-04)")
    grouped = group_releases(find_files(paths), label)
    if label is not None and len(grouped.releases) > 1:
        raise InputError("--release", None, f"names one release but the paths hold {len(grouped.releases)}")
    return grouped


def read_releases(paths: list[Path], label: str | None = None, strict: bool = False) -> list[ReleaseData]:
    """Read every release found in the paths; raises InputError on any damaged file."""
    return [read_release(group, strict) for group in find_releases(paths, label).releases]
