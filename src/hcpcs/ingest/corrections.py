"""Read CMS's corrections to a release: a workbook of errata (2025 on: one row per code with the
action, 'Revise TOS', 'Terminate', ...), or the older corrections files (.xlsx with title rows,
.prn cut to fixed columns). Kept as CMS wrote them; shown with the release and on code pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from hcpcs.errors import InputError
from hcpcs.ingest.normalize import fold
from hcpcs.ingest.workbook import cell_text, sheet_names, sheet_rows

#: Header names (letters and digits only) of the code, action and effective-date columns.
_CODE_KEYS = ("HCPCSMODCODE", "HCPCSCODE", "HCPCS", "HCPC", "CODE")
_ACTION_KEYS = ("ACTION",)
_DATE_KEYS = ("EFFECTIVEDATE", "EFFDATE", "EFFDT")
_NAME_DATE = re.compile(r"(?<!\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(20\d\d)(?!\d)")
#: A .prn row: the code, the action (cut to its column), the effective date (maybe cut), the rest.
_PRN_ROW = re.compile(r"^\s*([A-Z]\d{4}|[A-Z0-9]{2})\s+(.*?)(\d{1,2}/\d{1,2}/\d{3,5})(.*)$")


@dataclass(frozen=True, slots=True)
class Correction:
    """One correction CMS issued for a code of a release."""

    code: str
    action: str
    effective_date: str | None  # ISO when CMS wrote a date, else its text
    details: dict[str, str] = field(default_factory=dict)  # other columns CMS filled in


@dataclass(slots=True)
class CorrectionsFile:
    """A corrections file: its name, when CMS issued it (if known) and its rows."""

    file: str
    issued: str | None
    corrections: list[Correction]


def _key(name: object) -> str:
    return re.sub(r"[^A-Z0-9]", "", cell_text(name).upper())


def issued_date(file_name: str, member_date: str | None) -> str | None:
    """The date CMS put in the file name (…_Corrections_01122026.xlsx), else the zip member's date."""
    match = _NAME_DATE.search(PurePosixPath(file_name).stem)
    if match:
        month, day, year = match.groups()
        return f"{year}-{month}-{day}"
    return member_date


def _date_text(value: object) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    text = cell_text(value).strip()
    for form in ("%m/%d/%Y", "%Y%m%d", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return text or None


def _from_workbook(data: bytes, file: str) -> list[Correction]:
    for index in range(len(sheet_names(data, file))):
        rows = sheet_rows(data, file, index)
        for at, row in enumerate(rows[:40]):
            keys = [_key(cell) for cell in row]
            code_at = next((keys.index(k) for k in _CODE_KEYS if k in keys), None)
            action_at = next((keys.index(k) for k in _ACTION_KEYS if k in keys), None)
            if code_at is None or action_at is None:
                continue
            date_at = next((keys.index(k) for k in _DATE_KEYS if k in keys), None)
            titles = [cell_text(cell).strip() for cell in row]
            return [c for c in (_row(r, titles, code_at, action_at, date_at) for r in rows[at + 1 :]) if c]
    raise InputError(file, None, "no header row with a code and an action column")


def _row(row: list[object], titles: list[str], code_at: int, action_at: int, date_at: int | None) -> Correction | None:
    cells = list(row) + [""] * (len(titles) - len(row))
    code = cell_text(cells[code_at]).strip().upper()
    action = fold(cell_text(cells[action_at]))
    if not code or not re.fullmatch(r"[A-Z0-9]{2,5}", code) or not action:
        return None
    details = {
        titles[i]: fold(
            cell_text(cells[i]) if not isinstance(cells[i], (dt.date, dt.datetime)) else _date_text(cells[i])
        )
        for i in range(len(titles))
        if i not in (code_at, action_at, date_at) and titles[i] and cell_text(cells[i]).strip()
    }
    return Correction(code, action, _date_text(cells[date_at]) if date_at is not None else None, details)


def _from_text(data: bytes, file: str) -> list[Correction]:
    corrections = []
    for line in data.decode("cp1252", "replace").splitlines():
        match = _PRN_ROW.match(line)
        if match and match[2].strip():
            code, action, date, rest = match.groups()
            details = {"text": fold(rest)} if rest and rest.strip() else {}
            corrections.append(Correction(code, fold(action), _date_text(date), details))
    return corrections


def read_corrections(data: bytes, file: str, member_date: str | None = None) -> CorrectionsFile:
    """Parse a corrections workbook or text file."""
    if not data.strip():
        raise InputError(file, None, "the file is empty")
    if file.lower().endswith((".xlsx", ".xls", ".xlsm")):
        corrections = _from_workbook(data, file)
    else:
        corrections = _from_text(data, file)
    return CorrectionsFile(file, issued_date(file, member_date), corrections)
