"""Damaged input: one line on stderr naming file and place, exit 2, the store unchanged."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from conftest import QUARTERS, make_zip, run_cli


def _lines(text: bytes) -> list[bytes]:
    return text.split(b"\r\n")


def _index(lines: list[bytes], prefix: bytes) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(prefix))


def _with_line(text: bytes, prefix: bytes, change) -> bytes:
    lines = _lines(text)
    at = _index(lines, prefix)
    lines[at : at + 1] = change(lines[at])
    return b"\r\n".join(lines)


def impossible_date(text):
    # S9329's added date (columns 269-276) becomes the 13th month.
    return _with_line(text, b"S9329001003", lambda line: [line[:268] + b"20021301" + line[276:]])


def cut_short(text):
    return _with_line(text, b"S9329001003", lambda line: [line[:150]])


def sequence_letters(text):
    return _with_line(text, b"S9329001003", lambda line: [line[:5] + b"00A10" + line[10:]])


def text_past_the_layout(text):
    return _with_line(text, b"S9329001003", lambda line: [line + b"   EXTRA"])


def orphan_continuation(text):
    return _with_line(text, b"S9329001003", lambda line: [])


def code_twice(text):
    lines = _lines(text)
    at = _index(lines, b"S9329001003")
    lines.insert(_index(lines, b"S9330001003"), lines[at])
    return b"\r\n".join(lines)


def unknown_record_id(text):
    return _with_line(text, b"S9329001003", lambda line: [line[:10] + b"5" + line[11:]])


def bad_code_characters(text):
    return _with_line(text, b"S9329001003", lambda line: [b"S93#9" + line[5:]])


CASES = {
    "cut_short": (cut_short, ":11699: first line of S9329 is 150 characters; the record layout has 320"),
    "sequence_letters": (sequence_letters, ":11699: not a HCPCS record (no sequence number in columns 6-10)"),
    "text_past_the_layout": (text_past_the_layout, ":11699: text past column 320: 'EXTRA'"),
    "orphan_continuation": (orphan_continuation, ":11699: continuation line for S9329 has no first line"),
    "code_twice": (code_twice, ":11703: code S9329 appears twice (first at line 11699)"),
    "unknown_record_id": (unknown_record_id, ":11699: unknown record id '5' in column 11"),
    "bad_code_characters": (bad_code_characters, ":11699: code 'S93#9' has characters outside A-Z and 0-9"),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_refused(store: Path, bad: Path, *expected: str) -> str:
    before = digest(store)
    result = run_cli("--db", str(store), "load", str(bad))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert bad.name in lines[0]
    for part in expected:
        assert part in lines[0]
    assert result.stdout == ""
    assert digest(store) == before
    return lines[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_damaged_text_file(case, store_2020, text_2020, tmp_path):
    damage, message = CASES[case]
    bad = tmp_path / "HCPC2020_APR_ANWEB.txt"
    bad.write_bytes(damage(text_2020))
    assert_refused(store_2020, bad, f"error: {bad.name}{message}")


def test_random_bytes(store_2020, tmp_path):
    bad = tmp_path / "HCPC2020_APR_ANWEB.txt"
    bad.write_bytes(random.Random(7).randbytes(50_000))
    assert_refused(store_2020, bad)


def test_empty_file(store_2020, tmp_path):
    bad = tmp_path / "HCPC2020_APR_ANWEB.txt"
    bad.write_bytes(b"")
    assert_refused(store_2020, bad, f"error: {bad.name}: the file is empty")


def test_random_bytes_named_as_a_zip(store_2020, tmp_path):
    bad = tmp_path / "April-2020-Alpha-Numeric-HCPCS-File.zip"
    bad.write_bytes(random.Random(8).randbytes(10_000))
    assert_refused(store_2020, bad, "not a readable zip file")


def test_zip_without_a_hcpcs_file(store_2020, tmp_path):
    bad = make_zip(tmp_path / "April-2020-Alpha-Numeric-HCPCS-File.zip", {"README.txt": b"nothing here\r\n"})
    assert_refused(store_2020, bad, "no HCPCS release file found (no ANWEB text file or workbook)")


def test_damaged_text_inside_a_zip_is_named_with_its_zip(store_2020, text_2020, tmp_path):
    bad = make_zip(
        tmp_path / "April-2020-Alpha-Numeric-HCPCS-File.zip",
        {"HCPC2020_APR_ANWEB.txt": code_twice(text_2020)},
    )
    assert_refused(
        store_2020,
        bad,
        "error: April-2020-Alpha-Numeric-HCPCS-File.zip/HCPC2020_APR_ANWEB.txt:11703: code S9329 appears twice",
    )


def test_workbook_without_the_hcpc_column(store_2020, tmp_path):
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(QUARTERS["2020-04"] / "anweb.xlsx").get_sheet_by_index(0).to_python()
    header = next(i for i, row in enumerate(rows) if "HCPC" in row)
    rows[header] = ["CODE" if cell == "HCPC" else cell for cell in rows[header]]
    workbook = Workbook()
    for row in rows[: header + 200]:
        workbook.active.append(row)
    bad = tmp_path / "HCPC2020_APR_ANWEB.xlsx"
    workbook.save(bad)
    assert_refused(store_2020, bad, "no sheet has a header row with HCPC and RECID columns")


def test_workbook_with_an_impossible_date_names_the_row(store_2020, tmp_path):
    """A value that does not fit its field loads with a warning by default; --strict refuses."""
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(QUARTERS["2020-04"] / "anweb.xlsx").get_sheet_by_index(0).to_python()
    header = next(i for i, row in enumerate(rows) if "HCPC" in row)
    added = rows[header].index("ADD DT")
    rows[header + 3][added] = "20200231"
    workbook = Workbook()
    for row in rows[: header + 50]:
        workbook.active.append(row)
    bad = tmp_path / "HCPC2020_APR_ANWEB.xlsx"
    workbook.save(bad)
    message = f"{bad.name}:row {header + 4}: added_date: '20200231' is an impossible date"
    before = digest(store_2020)
    strict = run_cli("--db", str(store_2020), "load", "--strict", str(bad))
    assert strict.returncode == 2 and strict.stderr.strip() == f"error: {message}"
    assert digest(store_2020) == before
    loaded = run_cli("--db", str(store_2020), "load", str(bad))
    assert loaded.returncode == 0, loaded.stderr
    assert f"warning: {message}" in loaded.stderr.splitlines()


def test_missing_path_and_bad_label(store_2020, tmp_path):
    assert_refused(store_2020, tmp_path / "absent.zip", "no such file or folder")
    result = run_cli("--db", str(store_2020), "load", "--release", "2020-13", str(QUARTERS["2020-04"]))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --release: '2020-13' is not a release label (YYYY-MM, e.g. 2020-04)"
