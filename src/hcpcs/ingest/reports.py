"""Read CMS's transaction (change) reports: what each code's action was this release."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from hcpcs.errors import InputError
from hcpcs.ingest.normalize import fold
from hcpcs.ingest.workbook import cell_text, sheet_names, sheet_rows

_COLUMNS = ("code", "action", "short_description", "long_description")


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One line of a change report; action_code is None where CMS's wording is unknown."""

    code: str
    action: str
    action_code: str | None
    short_description: str | None
    long_description: str | None


@cache
def _action_table() -> tuple[tuple[str, str], ...]:
    text = (files("hcpcs") / "data" / "change_actions.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    # Longest first, so "Coverage and Long ..." wins over "Coverage Change".
    return tuple(sorted(((r["text"].lower(), r["action_code"]) for r in rows), key=lambda p: -len(p[0])))


@cache
def action_code_for(action: str) -> str | None:
    """CMS's report wording ('Payment Change', or cut short as in the .prn) as an action code."""
    wanted = action.strip().lower()
    if not wanted:
        return None
    for text, code in _action_table():
        if text == wanted or (len(wanted) >= 6 and text.startswith(wanted)):
            return code
    return None


def _entry(cells: list[str]) -> ChangeEntry | None:
    code, action = cells[0].strip(), cells[1].strip()
    if not code or not code.isalnum():
        return None
    short, long = fold(cells[2]), fold(cells[3])
    return ChangeEntry(code, action, action_code_for(action), short or None, long or None)


def read_report(data: bytes, file: str) -> list[ChangeEntry]:
    """Parse a change report, workbook ('Changes by HCPC...' sheet) or fixed-column .prn."""
    if file.lower().endswith((".xlsx", ".xls")):
        entries = _read_workbook(data, file)
    else:
        entries = _read_prn(data, file)
    if not entries:
        raise InputError(file, None, "no report lines found below a HCPC header")
    return entries


def _read_workbook(data: bytes, file: str) -> list[ChangeEntry]:
    names = sheet_names(data, file)
    by_code = [n for n in names if n.lower().startswith("changes by hcpc")]
    rows = sheet_rows(data, file, by_code[0] if by_code else 0)
    entries: list[ChangeEntry] = []
    header_seen = False
    for row in rows:
        cells = [c if type(c) is str else cell_text(c) for c in (list(row) + [""] * 4)[:4]]
        if not header_seen:
            header_seen = cells[0].strip().upper().startswith("HCPC")
            continue
        entry = _entry(cells)
        if entry:
            entries.append(entry)
    return entries


def _read_prn(data: bytes, file: str) -> list[ChangeEntry]:
    lines = data.decode("latin-1").splitlines()
    number = next((i for i, line in enumerate(lines) if line.strip().upper().startswith("HCPC")), None)
    if number is None:
        raise InputError(file, None, "no header line starting with HCPC")
    header = lines[number].upper()
    # Columns start where the header's titles start; the action column may overflow
    # into the short description's, so the code ends where the action title begins.
    starts = [0]
    for title in ("SHORT DESCRIPTION", "LONG DESCRIPTION"):
        position = header.find(title)
        if position < 0:
            raise InputError(file, number + 1, f"header lacks {title}")
        starts.append(position)
    entries = []
    for line in lines[number + 1 :]:
        head = line[: starts[1]].split(None, 1)
        if not head:
            continue
        cells = [head[0], head[1] if len(head) > 1 else "", line[starts[1] : starts[2]], line[starts[2] :]]
        entry = _entry(cells)
        if entry:
            entries.append(entry)
    return entries
