"""Read CMS's fixed-width ANWEB text file (Latin-1, CRLF, 320-column records)."""

from __future__ import annotations

from operator import itemgetter

from hcpcs.errors import InputError
from hcpcs.ingest.layout import (
    CODE,
    CONTINUATION_KIND,
    DETAIL_SLOTS,
    FIRST_LINE_KIND,
    LONG_DESCRIPTION,
    RECORD_ID,
    RECORD_LENGTH,
)
from hcpcs.ingest.normalize import ValueProblem, build_record, check_code
from hcpcs.model import CodeRecord

_LONG = LONG_DESCRIPTION.text_ranges()[0]
_DETAIL = itemgetter(*(slice(a, b) for slot in DETAIL_SLOTS for a, b in slot.text_ranges()))
_RECID = RECORD_ID.start - 1
_CODE_END = CODE.width


def _is_record_attempt(line: str) -> bool:
    """A line meant as a record: a sequence number where the layout puts one."""
    return len(line) > _RECID and line[_CODE_END:_RECID].isdigit()


def read_text(data: bytes, file: str, release: str | None = None) -> list[CodeRecord]:
    """Parse the ANWEB text file into canonical records, in file order.

    Disclaimer lines before the first record are skipped; after it every
    non-blank line must be a record. Raises InputError naming file and line.
    """
    if not data.strip():
        raise InputError(file, None, "the file is empty")
    if b"\x00" in data:
        raise InputError(file, None, "this is not a text file (it holds NUL bytes)")
    lines = data.decode("latin-1").splitlines()
    records: list[CodeRecord] = []
    first_line_of: dict[str, int] = {}
    current: tuple[str, str, int, list[str], tuple[str, ...]] | None = None
    started = False

    def finish() -> None:
        code, kind, line_number, long_parts, values = current
        try:
            records.append(build_record(code, kind, release, " ".join(long_parts), values))
        except ValueProblem as problem:
            raise InputError(file, line_number, str(problem)) from None

    for number, line in enumerate(lines, start=1):
        if not started:
            if not _is_record_attempt(line):
                continue
            started = True
        if not line.strip():
            continue
        if len(line) <= _RECID or not _is_record_attempt(line):
            raise InputError(file, number, "not a HCPCS record (no sequence number in columns 6-10)")
        record_id = line[_RECID]
        kind = FIRST_LINE_KIND.get(record_id) or CONTINUATION_KIND.get(record_id)
        if kind is None:
            raise InputError(file, number, f"unknown record id {record_id!r} in column 11")
        raw_code = line[:_CODE_END]
        if kind == "modifier" and raw_code[:3].strip():
            raise InputError(file, number, f"modifier code {raw_code!r} must sit in columns 4-5")
        try:
            code = check_code(raw_code.strip(), kind)
        except ValueProblem as problem:
            raise InputError(file, number, str(problem)) from None
        text = line[_LONG[0] : _LONG[1]]
        if record_id in CONTINUATION_KIND:
            if current is None or current[0] != code or current[1] != kind:
                raise InputError(file, number, f"continuation line for {code} has no first line before it")
            current[3].append(text)
            continue
        if current is not None:
            finish()
        if code in first_line_of:
            raise InputError(file, number, f"code {code} appears twice (first at line {first_line_of[code]})")
        first_line_of[code] = number
        current = (code, kind, number, [text], _DETAIL(line.ljust(RECORD_LENGTH)))
    if current is None:
        raise InputError(file, None, "no HCPCS records found (is this the ANWEB text file?)")
    finish()
    return records
