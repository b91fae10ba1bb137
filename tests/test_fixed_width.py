"""The fixed-width ANWEB text file, read from the real 2019 and 2020 files."""

from __future__ import annotations

import pytest

from hcpcs.errors import InputError
from hcpcs.ingest.fixed_width import read_text

S9329_LONG = (
    "Home infusion therapy, chemotherapy infusion; administrative services, professional pharmacy "
    "services, care coordination, and all necessary supplies and equipment (drugs and nursing visits "
    "coded separately), per diem (do not use this code with s9330 or s9331)"
)


def s9329_expected(release: str) -> dict:
    return {
        "code": "S9329",
        "release": release,
        "kind": "procedure",
        "long_description": S9329_LONG,
        "short_description": "Hit chemo per diem",
        "pricing_indicators": ["00"],
        "multiple_pricing_indicator": "9",
        "cim_references": [],
        "mcm_references": [],
        "statute": None,
        "lab_certifications": [],
        "cross_references": [],
        "coverage": "I",
        "asc_group": None,
        "asc_effective_date": None,
        "mog_payment_group": None,
        "mog_payment_policy_indicator": None,
        "mog_effective_date": None,
        "processing_note": "0088",
        "betos": "Z2",
        "type_of_service": ["9"],
        "anesthesia_base_units": 0,
        "added_date": "2002-01-01",
        "action_effective_date": "2002-01-01",
        "termination_date": None,
        "action_code": "N",
    }


@pytest.mark.parametrize("fixture, release", [("text_2019", "2019-01"), ("text_2020", "2020-01")])
def test_s9329_every_field(request, fixture, release):
    records = {r.code: r for r in read_text(request.getfixturevalue(fixture), "anweb.txt", release).records}
    assert records["S9329"].to_dict() == s9329_expected(release)


def test_counts_and_kinds(text_2019, text_2020):
    for data, procedures, modifiers in ((text_2019, 6440, 360), (text_2020, 6710, 369)):
        records = read_text(data, "anweb.txt").records
        assert sum(r.kind == "procedure" for r in records) == procedures
        assert sum(r.kind == "modifier" for r in records) == modifiers


def test_modifier_sits_in_columns_4_and_5(text_2020):
    records = {r.code: r for r in read_text(text_2020, "anweb.txt").records}
    lt = records["LT"]
    assert lt.kind == "modifier"
    assert lt.long_description == "Left side (used to identify procedures performed on the left side of the body)"


def test_continuations_trimmed_to_91_columns_join_like_full_width(text_2019, text_2020):
    """2020 trims continuation lines to 91 columns, 2019 pads them to 320: same text."""
    lines_2020 = text_2020.split(b"\r\n")
    assert any(len(line) == 91 and line[10:11] == b"4" for line in lines_2020)
    a = {r.code: r.long_description for r in read_text(text_2019, "a.txt").records}
    b = {r.code: r.long_description for r in read_text(text_2020, "b.txt").records}
    assert a["G0503"] == b["G0503"]
    assert "  " not in a["G0503"]
    assert a["G0503"].endswith("prepared for discharge from active treatment")


def test_a_first_line_shorter_than_the_layout_is_refused(text_2020):
    """Every first line of every real release is at least 320 characters: a shorter one is damage
    (cut to 150, G8884 would lose its coverage, BETOS, dates and action code)."""
    lines = text_2020.split(b"\r\n")
    index = next(i for i, line in enumerate(lines) if line[5:11].isdigit() and line[10:11] == b"3")
    cut = list(lines)
    cut[index] = lines[index][:150]
    with pytest.raises(InputError, match=rf"cut.txt:{index + 1}: first line of \w+ is 150 characters"):
        read_text(b"\r\n".join(cut), "cut.txt", "2020-01")


def test_disclaimer_lines_are_skipped(text_2019):
    assert text_2019.startswith(b"***Disclaimers")
    assert read_text(text_2019, "a.txt").records[0].code == "A1"
