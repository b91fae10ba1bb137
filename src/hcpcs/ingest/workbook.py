"""Read CMS's ANWEB workbook (.xlsx or old .xls): one row per code below disclaimer rows."""

from __future__ import annotations

import datetime as dt
import re
from operator import itemgetter

from hcpcs.errors import InputError
from hcpcs.ingest.layout import (
    CODE,
    CONTINUATION_KIND,
    DETAIL_SLOTS,
    FIRST_LINE_KIND,
    HEADER_ALIASES,
    LONG_DESCRIPTION,
    RECORD_ID,
)
from hcpcs.ingest.normalize import Misfit, ValueProblem, build_record, check_code, fold
from hcpcs.ingest.parsed import Anomaly, Parsed

#: How far down the header row may sit below disclaimer rows.
HEADER_SEARCH_ROWS = 100
_WIDTH = {column: slot.width for slot in DETAIL_SLOTS for column in slot.columns}


def cell_text(value: object, width: int | None = None) -> str:
    """A cell as the text the layout means: 20201001.0 is '20201001', 7.0 is '7'."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y%m%d")
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else str(value)
        return text.zfill(width) if width else text
    if isinstance(value, int):
        return str(value).zfill(width) if width else str(value)
    return str(value)


def _open(data: bytes, file: str):
    """A calamine workbook over the bytes; anything unreadable raises InputError."""
    import io

    from python_calamine import CalamineWorkbook

    if not data:
        raise InputError(file, None, "the file is empty")
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises several unrelated types
        raise InputError(file, None, f"not a readable workbook ({_first_line(error)})") from None


def sheet_rows(data: bytes, file: str, sheet: str | int = 0) -> list[list[object]]:
    """One named (or numbered) sheet's rows as Python values."""
    workbook = _open(data, file)
    try:
        if isinstance(sheet, int):
            return workbook.get_sheet_by_index(sheet).to_python()
        return workbook.get_sheet_by_name(sheet).to_python()
    except Exception as error:
        raise InputError(file, None, f"not a readable workbook ({_first_line(error)})") from None


def sheet_names(data: bytes, file: str) -> list[str]:
    """The workbook's sheet names."""
    return list(_open(data, file).sheet_names)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:120]


def find_header(
    rows: list[list[object]], required: str, file: str, aliases: dict[str, str] | None = None
) -> tuple[int, dict[str, int]]:
    """The header row's index and a map of its names (after aliases) to column numbers."""
    aliases = aliases or {}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [cell_text(c).strip().upper() for c in row]
        if required in names:
            columns: dict[str, int] = {}
            for position, name in enumerate(names):
                columns.setdefault(aliases.get(name, name), position)
            return index, columns
    raise InputError(file, None, f"no header row with a {required} column in the first sheet")


def _normalized(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


#: Workbook headers by their letters and digits alone ("ACT EFF DT", "ACT_EFF_DT" -> "ACTEFFDT").
_COLUMN_BY_KEY = {
    _normalized(c): c for slot in (CODE, RECORD_ID, LONG_DESCRIPTION, *DETAIL_SLOTS) for c in slot.columns
}
_COLUMN_BY_KEY.update({_normalized(k): v for k, v in HEADER_ALIASES.items()})


def _record_sheet(data: bytes, file: str) -> tuple[list[list[object]], int, dict[str, int]]:
    """The sheet holding the records, its header row index and column numbers by layout name."""
    names = sheet_names(data, file)
    for index in range(len(names)):
        rows = sheet_rows(data, file, index)
        for at, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            keys = [_COLUMN_BY_KEY.get(_normalized(cell_text(c))) for c in row]
            if "HCPC" in keys and "RECID" in keys:
                columns: dict[str, int] = {}
                for position, key in enumerate(keys):
                    if key:
                        columns.setdefault(key, position)
                return rows, at, columns
    raise InputError(file, None, "no sheet has a header row with HCPC and RECID columns")


def read_workbook(data: bytes, file: str, release: str | None = None, strict: bool = False) -> Parsed:
    """Parse the ANWEB workbook into canonical records, in sheet order (misfit values kept aside)."""
    rows, header_index, columns = _record_sheet(data, file)
    missing = [
        column
        for slot in (RECORD_ID, LONG_DESCRIPTION, *DETAIL_SLOTS)
        for column in slot.columns
        if column not in columns
    ]
    if missing:
        raise InputError(file, f"row {header_index + 1}", f"header lacks column(s) {', '.join(missing)}")
    code_at, recid_at, long_at = columns["HCPC"], columns["RECID"], columns["LONG DESCRIPTION"]
    detail_columns = [c for slot in DETAIL_SLOTS for c in slot.columns]
    pick_detail = itemgetter(*(columns[c] for c in detail_columns))
    widths = [_WIDTH[c] for c in detail_columns]
    result = Parsed([])
    records = result.records
    first_row_of: dict[str, int] = {}
    row_width = max(columns.values()) + 1
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        where = f"row {index + 1}"
        if not any(cell_text(c).strip() for c in row):
            continue
        cells = list(row) + [""] * (row_width - len(row))
        record_id = cell_text(cells[recid_at]).strip()
        kind = FIRST_LINE_KIND.get(record_id) or CONTINUATION_KIND.get(record_id)
        if kind is None:
            raise InputError(file, where, f"unknown record id {record_id!r} in column RECID")
        try:
            code = check_code(cell_text(cells[code_at]).strip(), kind)
        except ValueProblem as problem:
            raise InputError(file, where, str(problem)) from None
        text = cell_text(cells[long_at])
        if record_id in CONTINUATION_KIND:
            if not records or records[-1].code != code:
                raise InputError(file, where, f"continuation row for {code} has no first row before it")
            previous = records[-1]
            previous.long_description = fold(f"{previous.long_description or ''} {text}") or None
            continue
        if code in first_row_of:
            raise InputError(file, where, f"code {code} appears twice (first at row {first_row_of[code]})")
        first_row_of[code] = index + 1
        values = [
            cell if type(cell) is str else cell_text(cell, width)
            for cell, width in zip(pick_detail(cells), widths, strict=True)
        ]
        misfits: list[Misfit] | None = None if strict else []
        try:
            records.append(build_record(code, kind, release, text, values, misfits))
        except ValueProblem as problem:
            raise InputError(file, where, str(problem)) from None
        result.anomalies.extend(Anomaly(code, m.field, m.raw, file, where, m.problem) for m in misfits or ())
    if not records:
        raise InputError(file, None, "no HCPCS records below the header row")
    return result.check_misfits(file)
