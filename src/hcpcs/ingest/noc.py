"""Read CMS's list of "not otherwise classified" (NOC) codes, workbook or .prn text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hcpcs.errors import InputError
from hcpcs.ingest.normalize import ValueProblem, fold, iso_date
from hcpcs.ingest.workbook import cell_text, find_header, sheet_rows

_PRN_ROW = re.compile(r"^\s*([A-Z0-9]{5})\s{2,}(.*?)\s+(\d{8})(?:\s+(\d{8}))?\s*$")


@dataclass(frozen=True, slots=True)
class NocEntry:
    """One code on CMS's NOC list (its description is cut to 80 characters there)."""

    code: str
    description: str
    added_date: str | None
    termination_date: str | None


def read_noc(data: bytes, file: str) -> list[NocEntry]:
    """Parse the NOC list from its workbook or its .prn text."""
    if file.lower().endswith((".xlsx", ".xls")):
        entries = _read_noc_workbook(data, file)
    else:
        entries = _read_noc_text(data, file)
    # The 2019 workbook lists two codes twice; keep the first of each.
    unique: dict[str, NocEntry] = {}
    for entry in entries:
        unique.setdefault(entry.code, entry)
    return list(unique.values())


def _entry(file: str, where: str, code: str, text: str, added: str, ended: str) -> NocEntry:
    try:
        return NocEntry(code, fold(text), iso_date(added, "ADD DATE"), iso_date(ended, "TERM DATE"))
    except ValueProblem as problem:
        raise InputError(file, where, str(problem)) from None


def _read_noc_workbook(data: bytes, file: str) -> list[NocEntry]:
    rows = sheet_rows(data, file)
    header, columns = find_header(rows, "HCPCS", file)
    wanted = ("HCPCS", "LONG DESCRIPTION", "ADD DATE", "TERM DATE")
    if any(name not in columns for name in wanted):
        raise InputError(file, f"row {header + 1}", "header lacks HCPCS, LONG DESCRIPTION, ADD DATE or TERM DATE")
    entries = []
    for index in range(header + 1, len(rows)):
        cells = [cell_text(rows[index][columns[name]]).strip() for name in wanted]
        if re.fullmatch(r"[A-Z0-9]{5}", cells[0]):
            entries.append(_entry(file, f"row {index + 1}", *cells))
    if not entries:
        raise InputError(file, None, "no NOC codes found below the header row")
    return entries


def _read_noc_text(data: bytes, file: str) -> list[NocEntry]:
    entries = []
    for number, line in enumerate(data.decode("latin-1").splitlines(), start=1):
        row = _PRN_ROW.match(line)
        if row:
            entries.append(_entry(file, number, row[1], row[2], row[3], row[4] or ""))
    if not entries:
        raise InputError(file, None, "no NOC codes found (expected lines 'CODE  DESCRIPTION  YYYYMMDD')")
    return entries
