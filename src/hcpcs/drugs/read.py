"""Read CMS's Part B drug files into rows: the payment limit file and the NDC-HCPCS crosswalk,
as section 508 CSV or workbook. CMS's quirks are kept and warned; damage is an InputError
naming the file and line (or workbook row).

Both kinds: title rows, one of them "Effective January 1, 2026 through March 31, 2026" (the
quarter), then a header row, then one row per code (payment limits) or per NDC package
(crosswalk). Level I (CPT) rows are left out and counted: this is a Level II system.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from hcpcs.drugs.kinds import CROSSWALK, PAYMENT_LIMITS, column_name, decode_text, header_kind, is_workbook
from hcpcs.drugs.ndc import parse_ndc
from hcpcs.errors import InputError

PAYMENT_COLUMNS = (
    "code", "short_description", "dosage", "payment_limit", "coinsurance_percentage", "vaccine_awp_percentage",
    "vaccine_limit", "blood_awp_percentage", "blood_limit", "clotting_factor", "notes",
)  # fmt: skip
CROSSWALK_COLUMNS = (
    "code", "short_description", "labeler", "ndc", "product_id", "drug_name", "hcpcs_dosage", "package_size",
    "package_quantity", "billing_units_per_item", "billing_units_per_package",
)  # fmt: skip
COLUMNS = {PAYMENT_LIMITS: PAYMENT_COLUMNS, CROSSWALK: CROSSWALK_COLUMNS}
#: The payment limit file's header, by name (reduced by column_name), for each canonical column.
PAYMENT_HEADER = {
    "HCPCSCODE": "code", "SHORTDESCRIPTION": "short_description", "HCPCSCODEDOSAGE": "dosage",
    "PAYMENTLIMIT": "payment_limit", "COINSURANCEPERCENTAGE": "coinsurance_percentage",
    "VACCINEAWP": "vaccine_awp_percentage", "VACCINELIMIT": "vaccine_limit", "BLOODAWP": "blood_awp_percentage",
    "BLOODLIMIT": "blood_limit", "CLOTTINGFACTOR": "clotting_factor", "NOTES": "notes",
}  # fmt: skip
#: The crosswalk's header after its first column (whose name carries a year), in CMS's order.
CROSSWALK_HEADER = (
    "SHORTDESCRIPTION", "LABELERNAME", "NDC2", "DRUGNAME", "HCPCSDOSAGE", "PKGSIZE", "PKGQTY", "BILLUNITS",
    "BILLUNITSPKG",
)  # fmt: skip
NUMERIC = {
    PAYMENT_LIMITS: ("payment_limit", "coinsurance_percentage", "vaccine_awp_percentage", "vaccine_limit",
                     "blood_awp_percentage", "blood_limit"),
    CROSSWALK: ("package_size", "package_quantity", "billing_units_per_item", "billing_units_per_package"),
}  # fmt: skip
#: A Level II code; a Level I (CPT) code: five digits, or four and a letter (F, T, U, A...).
LEVEL_II, LEVEL_I = r"[A-Z]\d{4}", r"\d{4}[0-9A-Z]"
_CODE = re.compile(f"({LEVEL_II})|({LEVEL_I})")  # group 1 or group 2
_NUMBER = re.compile(r"\$?\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|-?\.\d+)")
_NOT_AVAILABLE = {"N/A", "NA"}
_NOT_PLAIN = re.compile(r"[^0-9.\s-]")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name} | {
    name.lower(): number for number, name in enumerate(calendar.month_abbr) if name
}
_DATE = r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})"
_EFFECTIVE = re.compile(rf"effective\s+{_DATE}\s+(?:through|thru|to|-)\s+{_DATE}", re.IGNORECASE)
QUARTER_MONTHS = (1, 4, 7, 10)
#: At most this many quirk warnings of one kind per file are kept one by one; the rest are counted.
WARNINGS_KEPT = 20


@dataclass(slots=True)
class DrugFile:
    """One drug file as read: its kind, quarter, provenance and Level II rows (canonical order)."""

    kind: str
    name: str
    sha256: str
    quarter: str  # YYYY-MM, the first month
    effective_from: str
    effective_until: str
    rows: list[tuple] = field(default_factory=list)
    level_i_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    workbook: bool = False  # read from the workbook form (else the section 508 CSV)


def _grid(name: str, data: bytes) -> tuple[list[list[str]], Callable[[int], str]]:
    """The file's rows as text cells, and where row i is (a CSV line, or a workbook row)."""
    if is_workbook(data):
        from hcpcs.ingest.workbook import cell_text, sheet_rows

        rows = [[cell_text(cell) for cell in row] for row in sheet_rows(data, name)]
        return rows, lambda index: f"row {index + 1}"
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    rows, starts, line = [], [], 1
    try:
        for row in reader:
            rows.append(row)
            starts.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        raise InputError(name, line, f"not a readable CSV record ({error})") from None
    return rows, lambda index: str(starts[index])


def _date(month: str, day: str, year: str, name: str, where: str) -> dt.date:
    try:
        return dt.date(int(year), _MONTHS[month.lower()], int(day))
    except (KeyError, ValueError):
        raise InputError(name, where, f"'{month} {day}, {year}' is not a date") from None


def _quarter(rows: list[list[str]], header: int, name: str, place: Callable[[int], str]) -> tuple[str, str, str]:
    """(label, first day, last day) from the "Effective ... through ..." line above the header."""
    for index in range(header):
        match = _EFFECTIVE.search(" ".join(rows[index]))
        if not match:
            continue
        where = place(index)
        start = _date(*match.groups()[:3], name, where)
        until = _date(*match.groups()[3:], name, where)
        if start.day != 1 or start.month not in QUARTER_MONTHS:
            raise InputError(name, where, f"{start.isoformat()} is not the first day of a calendar quarter")
        if until < start:
            raise InputError(name, where, f"the quarter ends ({until.isoformat()}) before it starts")
        return f"{start:%Y-%m}", start.isoformat(), until.isoformat()
    raise InputError(
        name, None, "no 'Effective MONTH D, YYYY through ...' line above the header: cannot tell the quarter"
    )


def _header(rows: list[list[str]], kind: str, name: str) -> int:
    for index, row in enumerate(rows[:40]):
        if header_kind(row) == kind:
            return index
    raise InputError(name, None, f"no {kind.replace('_', ' ')} header row in the first 40 rows")


def _positions(header: list[str], kind: str, name: str, where: str) -> list[int]:
    """Each canonical column's position in the file's row (-1 for ndc: it is derived)."""
    names = [column_name(cell) for cell in header]
    if kind == CROSSWALK:
        found = names[1 : len(CROSSWALK_HEADER) + 1]
        if tuple(found) != CROSSWALK_HEADER:
            wrong = next(
                (i for i, (a, b) in enumerate(zip(found, CROSSWALK_HEADER, strict=False), start=2) if a != b),
                len(found) + 2,
            )
            expected = CROSSWALK_HEADER[wrong - 2] if wrong - 2 < len(CROSSWALK_HEADER) else "nothing"
            got = header[wrong - 1] if wrong - 1 < len(header) else "missing"
            raise InputError(name, where, f"header column {wrong} is {got!r}, expected {expected}")
        return [0, 1, 2, -1, 3, 4, 5, 6, 7, 8, 9]
    at = {}
    for position, reduced in enumerate(names):
        key = reduced.removesuffix("PERCENTAGE") if reduced.endswith("AWPPERCENTAGE") else reduced
        if key in PAYMENT_HEADER:
            at.setdefault(PAYMENT_HEADER[key], position)
    missing = [column for column in PAYMENT_HEADER.values() if column not in at]
    if missing:
        raise InputError(name, where, f"header lacks column(s) {', '.join(missing)}")
    return [at[column] for column in PAYMENT_COLUMNS]


class _Quirks:
    """Warnings about CMS's quirks in one file, in row order: the first few of each kind one by
    one, the rest counted."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[tuple[int, str, str]] = []  # (row index, kind, message)

    def add(self, index: int, key: str, message: str) -> None:
        self.found.append((index, key, message))

    def summary(self) -> list[str]:
        lines, counts = [], {}
        for _, key, message in sorted(self.found, key=lambda item: item[0]):
            counts[key] = counts.get(key, 0) + 1
            if counts[key] <= WARNINGS_KEPT:
                lines.append(f"{self.name}:{message}")
        more = [f"{self.name}: {n - WARNINGS_KEPT} more like '{key}'" for key, n in counts.items() if n > WARNINGS_KEPT]
        return lines + more


def _number(text: str, column: str, name: str, where: str) -> tuple[float | None, str | None]:
    """A cell as a number, with the quirk met (None if none); InputError if it is no number."""
    value = text.strip()
    if not value:
        return None, None
    match = _NUMBER.fullmatch(value)
    if match:
        return float(match[1].replace(",", "")), None
    if value.upper() in _NOT_AVAILABLE:
        return None, f"{where}: {column}: {value!r} (no number; kept blank)"
    match = _NUMBER.match(value)
    if match and len(value) - match.end() <= 1 and not value[match.end() :].isalnum():
        number = float(match[1].replace(",", ""))
        return number, f"{where}: {column}: {value!r} read as {number:g} (a stray character after it)"
    raise InputError(name, where, f"{column}: {value!r} is not a number")


def _numbers(cells: list[str], column: str, name: str, places: list[str], quirks: _Quirks, rows: list[int]) -> list:
    """A column of numbers: plain decimals at C speed, anything else cell by cell."""
    if not _NOT_PLAIN.search("".join(cells)):  # digits, points, signs, spaces: float() reads them all
        try:
            return [float(cell) if cell else None for cell in cells]
        except ValueError:
            pass
    values = []
    for position, cell in enumerate(cells):
        value, quirk = _number(cell, column, name, places[position])
        if quirk:
            quirks.add(rows[position], column, quirk)
        values.append(value)
    return values


def read_drug_file(kind: str, name: str, data: bytes) -> DrugFile:
    """Read one payment limit file or crosswalk (CSV or workbook); InputError on damage."""
    rows, place = _grid(name, data)
    header = _header(rows, kind, name)
    quarter, start, until = _quarter(rows, header, name, place)
    positions = _positions(rows[header], kind, name, place(header))
    width = max(positions) + 1
    result = DrugFile(kind, name, hashlib.sha256(data).hexdigest(), quarter, start, until, workbook=is_workbook(data))
    kept: list[list[str]] = []
    indexes: list[int] = []
    for index in range(header + 1, len(rows)):
        cells = rows[index]
        if not (cells and cells[0].strip()) and not "".join(cells).strip():
            continue
        shape = _CODE.fullmatch(cells[0].strip().upper())
        if shape is None:
            raise InputError(name, place(index), f"code: {cells[0].strip()!r} is not a HCPCS code")
        if shape[2]:
            result.level_i_rows += 1
            continue
        kept.append(cells if len(cells) >= width else cells + [""] * (width - len(cells)))
        indexes.append(index)
    places = [place(index) for index in indexes]
    quirks = _Quirks(name)
    columns: list[list] = []
    for column, position in zip(COLUMNS[kind], positions, strict=True):
        cells = [row[position] for row in kept] if position >= 0 else []
        if column == "code":
            columns.append([cell.strip().upper() for cell in cells])
        elif column in NUMERIC[kind]:
            columns.append(_numbers(cells, column, name, places, quirks, indexes))
        elif column == "notes":
            columns.append([cell.strip() or None for cell in cells])
        elif column == "ndc":
            columns.append([])  # from the product id, below
        else:
            columns.append([" ".join(cell.split()) or None for cell in cells])
    if kind == CROSSWALK:
        products = columns[CROSSWALK_COLUMNS.index("product_id")]
        if None in products:
            raise InputError(name, places[products.index(None)], "NDC2: empty")
        ndcs = columns[CROSSWALK_COLUMNS.index("ndc")] = [parse_ndc(product) for product in products]
        not_ndc = ndcs.count(None)
        if not_ndc:
            message = f" {not_ndc} NDC2 values are not NDCs (product or catalog numbers, e.g. of skin substitutes)"
            quirks.add(len(rows), "NDC2", message + "; kept as product ids, not looked up by NDC")
        keys = list(zip(columns[0], products, strict=True))
    else:
        keys = columns[0]
    if len(set(keys)) != len(keys):
        first: dict = {}
        for position, key in enumerate(keys):
            if key in first:
                what = " ".join(key) if isinstance(key, tuple) else key
                raise InputError(name, places[position], f"{what} appears twice (first at {places[first[key]]})")
            first[key] = position
    result.rows = list(zip(*columns, strict=True))
    if not result.rows and not result.level_i_rows:
        raise InputError(name, None, "no rows below the header row")
    result.warnings = quirks.summary()
    return result
