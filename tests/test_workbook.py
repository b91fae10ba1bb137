"""The ANWEB workbooks (.xlsx and old .xls) and their agreement with the text files."""

from __future__ import annotations

from collections import Counter

import pytest

from hcpcs.ingest.fixed_width import read_text
from hcpcs.ingest.release import compare_records
from hcpcs.ingest.workbook import read_workbook

from conftest import QUARTERS, ZIP_2019, ZIP_2020, zip_member
from test_fixed_width import s9329_expected

WORKBOOKS = {
    "2019-01": (ZIP_2019, "HCPC2019_CONTR_ANWEB.xlsx"),
    "2020-01": (ZIP_2020, "HCPC2020_ANWEB_w_disclaimer.xls"),
}


def workbook_bytes(release: str) -> bytes:
    if release in WORKBOOKS:
        return zip_member(*WORKBOOKS[release])
    return (QUARTERS[release] / "anweb.xlsx").read_bytes()


@pytest.mark.parametrize("release", ["2019-01", "2020-01", "2020-04", "2020-07", "2020-10"])
def test_s9329_every_field_in_every_workbook(release):
    records = {r.code: r for r in read_workbook(workbook_bytes(release), "anweb.xlsx", release).records}
    assert records["S9329"].to_dict() == s9329_expected(release)


def test_numeric_cells_read_as_layout_text():
    """The October 2020 workbook stores J5's RECID and dates as numbers (7.0, 20201001.0)."""
    records = {r.code: r for r in read_workbook(workbook_bytes("2020-10"), "anweb.xlsx").records}
    j5 = records["J5"]
    assert j5.kind == "modifier"
    assert j5.added_date == "2020-10-01"
    assert j5.action_effective_date == "2020-10-01"


def test_continuation_row_in_workbook_is_joined():
    """G0503 spans two rows (RECID 3 then 4) in every workbook; it is one record."""
    for release in ("2019-01", "2020-10"):
        records = [r for r in read_workbook(workbook_bytes(release), "anweb.xlsx").records if r.code == "G0503"]
        assert len(records) == 1
        assert records[0].long_description.endswith("prepared for discharge from active treatment")


def _disagreements(text: bytes, release: str) -> Counter:
    warnings = compare_records(
        read_text(text, "t.txt").records, read_workbook(workbook_bytes(release), "w").records, "w"
    )
    return warnings, Counter(line.split()[2] for line in warnings)


def test_2019_text_and_workbook_disagree_exactly_where_cms_files_do(text_2019):
    warnings, by_field = _disagreements(text_2019, "2019-01")
    # CMS's 2019 workbook leaves the action effective date empty for 115 codes,
    # and gives E0210 and E0776 a fourth type of service (R) the text file lacks.
    assert by_field == {"action_effective_date": 115, "type_of_service": 2}
    assert all(" is None in the workbook" in w for w in warnings if "action_effective_date" in w)
    tos = sorted(w.split()[1] for w in warnings if "type_of_service" in w)
    assert tos == ["E0210", "E0776"]
    assert "['A', 'L', 'P', 'R'] in the workbook, ['A', 'L', 'P'] in the text file" in next(
        w for w in warnings if "E0210" in w
    )


def test_2020_text_and_workbook_agree_field_by_field(text_2020):
    warnings, _ = _disagreements(text_2020, "2020-01")
    assert warnings == []
