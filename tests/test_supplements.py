"""Processing notes, the NOC list and CMS's change reports, from the real files."""

from __future__ import annotations

from collections import Counter

from hcpcs.ingest.noc import read_noc
from hcpcs.ingest.notes import read_notes
from hcpcs.ingest.reports import action_code_for, read_report

from conftest import NOC_2019, QUARTERS, ZIP_2019, ZIP_2020, zip_member


def test_processing_note_text_is_joined_without_the_border():
    notes = read_notes(zip_member(ZIP_2020, "proc_notes_2020.txt"), "proc_notes_2020.txt")
    assert notes["0088"] == (
        '"S" CODES ARE UNIQUE TEMPORARY CODES ESTABLISHED BY BCBSA AND HIAA FOR PRIVATE PAYOR USE. '
        "THEY ARE NOT VALID NOR PAYABLE BY MEDICARE."
    )
    # 2020 adds notes 0219 and 0220, written with tabs instead of spaces.
    assert notes["0220"] == "REFER TO THE NCD MANUAL, SECTION 30.3."
    assert len(notes) == 220
    assert len(read_notes(zip_member(ZIP_2019, "proc_notes_2019.txt"), "p")) == 218


def test_noc_list_workbook_and_text_agree_on_codes():
    from_text = read_noc(zip_member(NOC_2019, "NOC_Codes_2019.prn"), "NOC_Codes_2019.prn")
    from_workbook = read_noc(zip_member(NOC_2019, "NOC_Codes_2019.xlsx"), "NOC_Codes_2019.xlsx")
    assert [e.code for e in from_text] == [e.code for e in from_workbook]
    entry = {e.code: e for e in from_workbook}["A9599"]
    assert entry.termination_date == "2017-12-31"
    assert entry.description.endswith("per study dose, not otherwise specified")


def test_change_reports_prn_and_workbook_give_the_same_actions():
    prn = read_report(zip_member(ZIP_2020, "Changes_by_HCPC.prn"), "Changes_by_HCPC.prn")
    workbook = read_report(
        zip_member(ZIP_2020, "HCPC2020_TRANS_ALPHA_w_disclaimer.xlsx"),
        "HCPC2020_TRANS_ALPHA_w_disclaimer.xlsx",
    )
    assert [(e.code, e.action_code) for e in prn] == [(e.code, e.action_code) for e in workbook]
    assert Counter(e.action_code for e in workbook) == {
        "N": 6648,
        "A": 250,
        "D": 99,
        "C": 70,
        "P": 10,
        "S": 2,
    }


def test_quarterly_change_report():
    entries = read_report((QUARTERS["2020-10"] / "trans_alpha.xlsx").read_bytes(), "trans_alpha.xlsx")
    assert len(entries) == 7196
    assert Counter(e.action_code for e in entries)["A"] == 38


def test_action_wording_cut_short_in_prn_maps_to_codes():
    assert action_code_for("Short Description Chang") == "S"
    assert action_code_for("Coverage and Long Desc") == "B"
    assert action_code_for("ADD") == "A"
    assert action_code_for("Something else") is None
