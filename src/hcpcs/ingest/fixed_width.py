"""Read CMS's fixed-width ANWEB text file (Windows-1252 or ASCII, CRLF, 320-column records).

CMS's quirks are data: disclaimer lines before the first record (and a block after the last),
modifiers right- or left-aligned in the code field, first lines padded past column 320 with
spaces, a trailing line of spaces. Damage is an error naming the line: a first line shorter than
the layout, text past column 320, an unknown record id, a continuation without its first line,
a code twice, a malformed code, a sequence number that is not digits. A value that does not fit
its field (an impossible or misplaced date) leaves the field null and is reported as a misfit.
"""

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
from hcpcs.ingest.normalize import Misfit, ValueProblem, build_record, check_code
from hcpcs.ingest.parsed import Anomaly, Parsed

_LONG = LONG_DESCRIPTION.text_ranges()[0]
_DETAIL = itemgetter(*(slice(a, b) for slot in DETAIL_SLOTS for a, b in slot.text_ranges()))
_RECID = RECORD_ID.start - 1
_CODE_END = CODE.width
#: Bytes Windows-1252 leaves undefined (CMS's files are Windows-1252 where they are not ASCII).
_UNDEFINED_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _decode(raw: bytes, file: str, number: int, notes: list[str]) -> str:
    """One line as text: ASCII or Windows-1252 as CMS writes; UTF-8 read as UTF-8 (with a note)."""
    if raw.isascii():
        return raw.decode("ascii")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        notes.append(f"{file}:{number}: UTF-8 text in a Windows-1252 file; read as UTF-8")
        return text
    undefined = sorted({b for b in raw if b in _UNDEFINED_1252})
    if undefined:
        shown = ", ".join(f"0x{b:02X}" for b in undefined)
        notes.append(f"{file}:{number}: byte {shown} is not a Windows-1252 character; kept as its Latin-1 code")
        return "".join(
            raw[i : i + 1].decode("latin-1" if b in _UNDEFINED_1252 else "cp1252") for i, b in enumerate(raw)
        )
    return raw.decode("cp1252")


def _by_bytes(raw: bytes, text: str) -> bool:
    """Whether to take columns by byte: decoding shortened the line below the layout
    (multi-byte characters in a file whose columns count bytes)."""
    return len(text) < RECORD_LENGTH <= len(raw)


def _redecode(values: tuple[str, ...]) -> tuple[str, ...]:
    """Fields sliced by byte (as Latin-1 text) decoded as the UTF-8 they are."""
    return tuple(v.encode("latin-1").decode("utf-8", "replace") for v in values)


def _is_record_attempt(line: str) -> bool:
    """A line meant as a record: a sequence number where the layout puts one."""
    return len(line) > _RECID and line[_CODE_END:_RECID].isdigit()


def _is_first_record(line: str) -> bool:
    """The first record of the file: a sequence number and a known record id (a disclaimer line
    above it may have digits in columns 6-10 by chance, but not this too)."""
    return _is_record_attempt(line) and line[_RECID] in FIRST_LINE_KIND


def _code_of(raw_code: str, kind: str) -> str:
    code = raw_code.strip()
    if kind == "modifier" and " " in code:
        raise ValueProblem(f"modifier code {raw_code!r} has a space inside it")
    return check_code(code, kind)


def _lines(data: bytes) -> list[bytes]:
    """Lines split on LF or CR LF only (a form feed or 0x85 inside a description is text)."""
    if b"\n" not in data:
        return data.split(b"\r")  # a file saved with old Mac line ends
    lines = data.split(b"\n")
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def read_text(data: bytes, file: str, release: str | None = None, strict: bool = False) -> Parsed:
    """Parse the ANWEB text file into canonical records, in file order; InputError names file and line."""
    if not data.strip():
        raise InputError(file, None, "the file is empty")
    if b"\x00" in data:
        raise InputError(file, None, "this is not a text file (it holds NUL bytes)")
    result = Parsed([])
    records = result.records
    first_line_of: dict[str, int] = {}
    current: tuple | None = None  # (code, kind, line number, long parts, raw values, misfits)
    started, trailing = False, 0

    def finish() -> None:
        code, kind, line_number, long_parts, values = current
        misfits: list[Misfit] | None = None if strict else []
        try:
            records.append(build_record(code, kind, release, " ".join(long_parts), values, misfits))
        except ValueProblem as problem:
            raise InputError(file, line_number, str(problem)) from None
        for misfit in misfits or ():
            result.anomalies.append(Anomaly(code, misfit.field, misfit.raw, file, str(line_number), misfit.problem))

    for number, raw in enumerate(_lines(data), start=1):
        line = _decode(raw, file, number, result.notes)
        if not started:
            if not _is_first_record(line):
                continue
            started = True
        if not line.strip():
            continue
        if trailing:
            if _is_record_attempt(line):
                raise InputError(file, trailing, "not a HCPCS record (no sequence number in columns 6-10)")
            continue
        if not _is_record_attempt(line):
            trailing = number  # a block after the last record is allowed; a line between records is not
            continue
        by_bytes = _by_bytes(raw, line)
        if by_bytes:
            line = raw.decode("latin-1")
        record_id = line[_RECID]
        kind = FIRST_LINE_KIND.get(record_id) or CONTINUATION_KIND.get(record_id)
        if kind is None:
            raise InputError(file, number, f"unknown record id {record_id!r} in column 11")
        try:
            code = _code_of(line[:_CODE_END], kind)
        except ValueProblem as problem:
            raise InputError(file, number, str(problem)) from None
        if line[RECORD_LENGTH:].strip():
            raise InputError(file, number, f"text past column {RECORD_LENGTH}: {line[RECORD_LENGTH:].strip()[:30]!r}")
        text = line[_LONG[0] : _LONG[1]]
        if record_id in CONTINUATION_KIND:
            if current is None or current[0] != code or current[1] != kind:
                raise InputError(file, number, f"continuation line for {code} has no first line before it")
            current[3].append(_redecode((text,))[0] if by_bytes else text)
            continue
        if len(line) < RECORD_LENGTH:
            raise InputError(
                file, number, f"first line of {code} is {len(line)} characters; the record layout has {RECORD_LENGTH}"
            )
        if current is not None:
            finish()
        if code in first_line_of:
            raise InputError(file, number, f"code {code} appears twice (first at line {first_line_of[code]})")
        first_line_of[code] = number
        values = _DETAIL(line)
        if by_bytes:
            text, values = _redecode((text,))[0], _redecode(values)
        current = (code, kind, number, [text], values)
    if current is None:
        raise InputError(file, None, "no HCPCS records found (is this the ANWEB text file?)")
    finish()
    if trailing:
        result.notes.append(f"{file}:{trailing}: lines after the last record are not records (a disclaimer?); skipped")
    return result.check_misfits(file)
