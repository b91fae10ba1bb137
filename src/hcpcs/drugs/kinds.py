"""What a drug file is, from its content (CMS's names vary and carry typos): the header row of a
payment limit file or of an NDC-HCPCS crosswalk, in the section 508 CSV form or a workbook."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib

PAYMENT_LIMITS, CROSSWALK = "payment_limits", "crosswalk"
KINDS = (PAYMENT_LIMITS, CROSSWALK)
#: What each kind is called in messages and tables.
KIND_NAMES = {PAYMENT_LIMITS: "payment limit file", CROSSWALK: "NDC-HCPCS crosswalk"}
#: How far down the header row may sit (CMS puts 8 title and note rows above it).
HEADER_ROWS = 40
#: Bytes of a text file looked at to tell its kind (the header is within the first few KB).
SNIFF_BYTES = 1 << 16
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_NOT_NAME = re.compile(r"[^A-Z0-9]+")
#: The crosswalk's first column carries a year (_2023_CODE, _2026_CODE): read by position.
_CROSSWALK_FIRST = re.compile(r"_?\d{4}_CODE|HCPCS(?: CODE)?|CODE")


def column_name(cell: str) -> str:
    """A header cell reduced to its letters and digits, upper case ('Co-insurance Percentage' ->
    'COINSURANCEPERCENTAGE'), so spacing and punctuation variants read alike."""
    return _NOT_NAME.sub("", cell.upper())


def header_kind(cells: list[str]) -> str | None:
    """The kind of file whose header row this is, or None if it is no drug header."""
    if not cells:
        return None
    first = " ".join(cells[0].split()).upper()  # the first cell as written: not a sentence quoting it
    names = [column_name(cell) for cell in cells]
    if first == "HCPCS CODE" and "PAYMENTLIMIT" in names:
        return PAYMENT_LIMITS
    if _CROSSWALK_FIRST.fullmatch(first) and "NDC2" in names and "BILLUNITS" in names:
        return CROSSWALK
    return None


def decode_text(data: bytes) -> str:
    """CMS's CSV text: UTF-8 (with or without a byte order mark), else Windows-1252 (what the
    section 508 files are: a no-break space is byte A0), else Latin-1, which reads any byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def is_workbook(data: bytes) -> bool:
    """An .xlsx (a zip with a workbook part) or an old binary .xls."""
    if data.startswith(_OLE2):
        return True
    return data.startswith(_ZIP) and b"xl/workbook.xml" in data[-65536:]


def _first_rows_of_text(data: bytes) -> list[list[str]]:
    head = data[:SNIFF_BYTES]
    if len(data) > SNIFF_BYTES:
        head = head[: head.rfind(b"\n") + 1] or head
    if b"\x00" in head:
        return []  # binary: no CSV
    reader = csv.reader(io.StringIO(decode_text(head), newline=""))
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= HEADER_ROWS:
                break
    except csv.Error:
        pass
    return rows


#: Words one of the two headers holds, looked for in a workbook's text before calamine reads it
#: (reading a big HCPCS workbook's sheet costs a fifth of a second; this costs milliseconds).
_MARKERS = ("payment limit", "billunits")


#: The most of a workbook's shared strings looked at (CMS's are a few hundred KB).
SHARED_STRINGS_CAP = 64 << 20


def _read_capped(archive: zipfile.ZipFile, part: str) -> bytes:
    """A workbook part's bytes, read in pieces and cut at SHARED_STRINGS_CAP (a bomb stops there)."""
    pieces, total = [], 0
    with archive.open(part) as member:
        while total < SHARED_STRINGS_CAP and (piece := member.read(1 << 20)):
            pieces.append(piece)
            total += len(piece)
    return b"".join(pieces)


def _may_be_drug_workbook(data: bytes) -> bool:
    if data.startswith(_OLE2):  # .xls: strings are 8-bit or UTF-16LE
        text = data.lower()
        return any(m.encode() in text or m.encode("utf-16-le") in text for m in _MARKERS)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            part = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
            text = _read_capped(archive, part).lower() if part else b""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, RuntimeError, zlib.error):
        return True  # let calamine say what it is
    # A header cell is a shared string of its own: <t>Payment Limit</t>.
    return part is None or any(f">{m}<".encode() in text for m in _MARKERS)


def _first_rows_of_workbook(data: bytes) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    if not _may_be_drug_workbook(data):
        return []
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = []
        for row in sheet.iter_rows():
            rows.append(["" if cell is None else str(cell) for cell in row])
            if len(rows) >= HEADER_ROWS:
                break
        return rows
    except Exception:  # calamine raises several unrelated types; unreadable means "not ours"
        return []


def drug_file_kind(name: str, data: bytes) -> str | None:
    """'payment_limits' or 'crosswalk' when the bytes are such a file (CSV or workbook), else None.

    Reads only the first rows; `name` is not used to decide (CMS's names are not reliable).
    """
    if data.startswith(_ZIP) and not is_workbook(data):
        return None  # a zip holds files; the finder opens it
    rows = _first_rows_of_workbook(data) if is_workbook(data) else _first_rows_of_text(data)
    for row in rows:
        kind = header_kind(row)
        if kind:
            return kind
    return None
