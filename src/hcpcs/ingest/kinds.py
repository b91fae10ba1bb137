"""What each CMS file is for: from its name where CMS's naming says it, else from its content.

CMS's names vary by year (HCPC17_CONTR_ANWEB.txt, HCPC2018_CONTR_ANWEB_disc.txt,
HCPC2026_JAN_ANWEB_01122026.txt, NOC codes_JAN2026.xlsx, Changes_by_HCPC.prn, ...) and mirrors
rename them (anweb.xlsx, trans_alpha.xlsx); a file whose name says nothing is recognised by
what it holds. A file that is none of these is ignored (listed, never fatal).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from hcpcs.ingest.sources import Found

TEXT, WORKBOOK = "text", "workbook"  # the records: fixed-width text file, workbook
CORRECTIONS, CHANGES, CHANGES_BY_ACTION = "corrections", "changes", "changes by action"
NOC, NOTES, LAYOUT, README, IGNORED = "noc", "notes", "layout", "readme", "ignored"
#: CMS's Part B drug files (ASP payment limits, NDC-HCPCS crosswalk): loaded by hcpcs.drugs.
DRUGS = "drugs"
#: Roles whose files hold the records of a release.
RECORD_ROLES = (TEXT, WORKBOOK)
WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".xlsm")
TEXT_SUFFIXES = (".txt", ".prn", ".dat", "")
#: How a role is described in load summaries and `hcpcs releases`.
DESCRIPTIONS = {
    TEXT: "records (fixed-width text file)",
    WORKBOOK: "records (workbook)",
    CORRECTIONS: "CMS corrections",
    CHANGES: "transaction report",
    CHANGES_BY_ACTION: "transaction report (by action code)",
    NOC: "NOC list",
    NOTES: "processing notes",
    LAYOUT: "record layout",
    README: "README",
    IGNORED: "ignored",
    DRUGS: "Part B drug file",
}

_NOTE_LINE = re.compile(rb"^\s*\d{4}--", re.MULTILINE)
_NOC_LINE = re.compile(rb"^\s*[A-Z0-9]{5}\s{2,}\S.*\s(19|20)\d{6}\s*$", re.MULTILINE)


def _tokens(stem: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", stem) if t]


def role_by_name(name: str) -> str | None:
    """The role CMS's naming gives a file, or None when the name does not say."""
    path = PurePosixPath(name.lower())
    stem, suffix = path.stem, path.suffix
    tokens = _tokens(stem)
    if suffix in (".md", ".html", ".htm", ".json", ".py", ".csv"):
        return None  # not how CMS ships any HCPCS file (a drug file's CSV is told by its content)
    if "readme" in stem:
        return README
    if "layout" in stem:
        return LAYOUT
    if "correction" in stem:
        return CORRECTIONS
    if "proc_notes" in stem or "procnotes" in stem or ("proc" in tokens and "notes" in tokens):
        return NOTES
    if "noc" in tokens or stem.startswith("noc"):
        return NOC
    if "changes" in tokens and "action" in stem:
        return CHANGES_BY_ACTION
    if "changes" in tokens or "trans" in tokens or "transaction" in stem:
        return CHANGES
    if "anweb" in stem:
        if suffix in WORKBOOK_SUFFIXES:
            return WORKBOOK
        if suffix in TEXT_SUFFIXES:
            return TEXT
    return None


def _looks_like_records(data: bytes) -> bool:
    """Fixed-width HCPCS records: a sequence number in columns 6-10 and a record id in column 11."""
    hits = 0
    for line in data[:65536].splitlines()[:400]:
        if len(line) >= 91 and line[5:10].isdigit() and line[10:11] in (b"3", b"4", b"7", b"8"):
            hits += 1
            if hits >= 3:
                return True
    return False


def _text_role(data: bytes) -> str | None:
    head = data[:65536]
    if b"\x00" in head:
        return None
    if _looks_like_records(head):
        return TEXT
    if len(_NOTE_LINE.findall(head)) >= 3:
        return NOTES
    upper = head.upper()
    if b"HCPC" in upper and b"SHORT DESC" in upper and b"LONG DESC" in upper and b"ACTION" in upper:
        return CORRECTIONS if b"EFF DATE" in upper else CHANGES
    if len(_NOC_LINE.findall(head)) >= 3:
        return NOC
    return None


def _header_names(rows: list[list[object]]) -> list[set[str]]:
    return [{str(c).strip().upper() for c in row if c not in (None, "")} for row in rows[:40]]


def _workbook_role(found: Found) -> str | None:
    from hcpcs.errors import InputError
    from hcpcs.ingest.workbook import sheet_names, sheet_rows

    try:
        names = sheet_names(found.data, found.name)
        if any(n.lower().startswith("changes by") for n in names):
            return CHANGES
        for index in range(min(len(names), 4)):
            for header in _header_names(sheet_rows(found.data, found.name, index)):
                if {"HCPC", "RECID"} <= header or {"HCPCS", "RECID"} <= header:
                    return WORKBOOK
                if "HCPCS/MOD CODE" in header or {"CODE", "ACTION", "EFF DATE"} <= header:
                    return CORRECTIONS
                if {"ADD DATE", "TERM DATE"} <= header and ("HCPCS" in header or "HCPC" in header):
                    return NOC
                if ("HCPC" in header or "HCPCS" in header) and any(h.startswith("ACTION") for h in header):
                    return CHANGES
    except InputError:
        return None
    return None


def drug_kind(found: Found) -> str | None:
    """The Part B drug file kind ('payment_limits', 'crosswalk') of a file, told by its header row."""
    from hcpcs.drugs.kinds import drug_file_kind

    return drug_file_kind(found.name, found.data)


def role_of(found: Found) -> str:
    """What a found file is for: by name, else by content; IGNORED when it is none of them."""
    by_name = role_by_name(found.file_name)
    if by_name is not None:
        return by_name
    if drug_kind(found) is not None:
        return DRUGS
    suffix = PurePosixPath(found.file_name.lower()).suffix
    if suffix in WORKBOOK_SUFFIXES or found.data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
        return _workbook_role(found) or IGNORED
    if suffix in TEXT_SUFFIXES:
        return _text_role(found.data) or IGNORED
    return IGNORED
