"""The code page: every field decoded like the model page (shared/docs/000_f8c8dedd91fe8c6d.txt)."""

from __future__ import annotations

import json

import pytest

from hcpcs.codebook import NOT_IN_TABLE
from hcpcs.errors import LevelOneCodeError, MalformedCodeError, UnknownCodeError
from hcpcs.page import is_noc_description
from hcpcs.render.html import code_html
from hcpcs.render.markdown import code_markdown
from hcpcs.store import Store

from conftest import cells, run_cli

# (label, value, meaning) as the model page for S9329 shows them; None where it shows no meaning.
MODEL_S9329 = [
    ("HCPCS Code", "S9329", None),
    ("Short Description", "Hit chemo per diem", None),
    (
        "Pricing Indicator Code #1",
        "00",
        "Service not separately priced by part B (e.g., services not covered, bundled, used by part a only, etc.)",
    ),
    (
        "Multiple Pricing Indicator Code",
        "9",
        "Not applicable as HCPCS not priced separately by part B (pricing indicator is 00) or value is not "
        "established (pricing indicator is '99')",
    ),
    ("Coverage Code", "I", "Not payable by Medicare"),
    ("Processing Note Number", "0088", None),
    ("Berenson-Eggers Type Of Service Code", "Z2", "Undefined codes"),
    ("Type Of Service Code #1", "9", "Other medical items or services"),
    ("Anesthesia Base Unit Quantity", 0, None),
    ("Code Added Date", "2002-01-01", None),
    ("Action Effective Date", "2002-01-01", None),
    ("Action Code", "N", "No maintenance for this code"),
]
# Definitions the model page gives, word for word.
MODEL_DEFINITIONS = {
    "Short Description": "Short descriptive text of procedure or modifier code (28 characters or less).",
    "Pricing Indicator Code #1": "Code used to identify the appropriate methodology for developing unique pricing "
    "amounts under part B. A procedure may have one to four pricing codes.",
    "Multiple Pricing Indicator Code": "Code used to identify instances where a procedure could be priced under "
    "multiple methodologies.",
    "Coverage Code": "A code denoting Medicare coverage status.",
    "Processing Note Number": "Number identifying the processing note contained in Appendix A of the HCPCS manual.",
    "Berenson-Eggers Type Of Service Code": "This field is valid beginning with 2003 data. The Berenson-Eggers Type "
    "of Service (BETOS) for the procedure code based on generally agreed upon clinically meaningful groupings of "
    "procedures and services.",
    "Type Of Service Code #1": "The carrier assigned CMS type of service which describes the particular kind(s) of "
    "service represented by the procedure code.",
    "Anesthesia Base Unit Quantity": "The base unit represents the level of intensity for anesthesia procedure "
    "services that reflects all activities except time.",
    "Code Added Date": "The year the HCPCS code was added to the Healthcare common procedure coding system.",
    "Action Effective Date": "Effective date of action to a procedure or modifier code",
    "Action Code": "A code denoting the change made to a procedure or modifier code within the HCPCS system.",
}


@pytest.fixture(scope="module")
def store(full_store):
    with Store(full_store) as opened:
        yield opened


@pytest.mark.parametrize("release", ["2019-01", "2020-01", "2020-04", "2020-07", "2020-10"])
def test_s9329_shows_what_the_model_page_shows(store, release):
    page = store.get("S9329", release)
    rows = {row.label: row for row in page.fields}
    for label, value, meaning in MODEL_S9329:
        assert rows[label].value == value
        if meaning:
            assert rows[label].meaning == meaning
    for label, definition in MODEL_DEFINITIONS.items():
        assert rows[label].definition.startswith(definition), label
    assert rows["Code Description"].value.endswith("(do not use this code with s9330 or s9331)")
    assert page.status == "Actual"
    assert page.processing_note_text.startswith('"S" CODES ARE UNIQUE TEMPORARY CODES')
    assert page.category == "Temporary national codes (non-Medicare)"
    assert page.noc is False


def test_model_order_comes_first(store):
    labels = [row.label for row in store.get("S9329").fields]
    model_order = [label for label, _, _ in MODEL_S9329]
    positions = [labels.index(label) for label in model_order]
    assert positions == sorted(positions)


def test_quarterly_release_takes_note_text_from_the_annual_notes(store):
    page = store.get("S9329", "2020-10")
    assert page.processing_note_release == "2020-01"
    assert store.get("S9329", "2019-01").processing_note_release == "2019-01"


def test_every_value_in_every_release_has_a_meaning(store):
    """Every coded value in the bundled releases is in CMS's tables (none is absent)."""
    absent = set()
    for release in store.release_labels():
        for record in store.records(release):
            for name, table in (
                ("pricing_indicators", "pricing_indicator"),
                ("lab_certifications", "lab_certification"),
                ("type_of_service", "type_of_service"),
            ):
                for value in getattr(record, name):
                    if store.codebook.meaning(table, value) == NOT_IN_TABLE:
                        absent.add((name, value))
            for name, table in (
                ("multiple_pricing_indicator", "multiple_pricing_indicator"),
                ("coverage", "coverage"),
                ("asc_group", "asc_group"),
                ("mog_payment_group", "mog_payment_group"),
                ("mog_payment_policy_indicator", "mog_payment_policy_indicator"),
                ("betos", "betos"),
                ("action_code", "action_code"),
            ):
                value = getattr(record, name)
                if value is not None and store.codebook.meaning(table, value) == NOT_IN_TABLE:
                    absent.add((name, value))
    assert absent == set()


def test_value_tables_hold_the_2026_additions_and_lab_parents(store):
    codebook = store.codebook
    assert codebook.meaning("pricing_indicator", "40") == "Lymphedema compression treatment items (eff 1/1/2024)"
    assert codebook.meaning("betos", "O1L") == "Lymphedema compression treatment items"
    assert codebook.meaning("lab_certification", "110") == "Bacteriology (under 100 Microbiology)"
    assert codebook.meaning("coverage", "X") == NOT_IN_TABLE
    assert "e.G." not in json.dumps(codebook.to_dict())
    assert "monitering" not in json.dumps(codebook.to_dict())


def test_modifier_page(store):
    page = store.get("LT")
    assert page.kind == "modifier" and page.category == "Modifiers"
    rows = {row.label: row for row in page.fields}
    assert rows["Record Type"].meaning == "Modifier (record identification codes 7 and 8)"
    assert rows["Code Description"].value.startswith("Left side")


def test_terminated_code_page_with_its_replacement(store):
    page = store.get("A4466", "2020-10")
    assert (page.status, page.status_date) == ("Terminated", "2016-12-31")
    assert [(r.code, r.short_description) for r in page.references] == [
        ("A4467", store.record("A4467", "2020-10").short_description)
    ]
    rows = {row.label: row for row in page.fields}
    assert rows["Cross Reference Code #1"].value == "A4467"
    assert rows["Termination Date"].meaning == "December 31, 2016"
    # A cross reference to a CPT code: not in any loaded (Level II) release.
    assert store.get("C8904").references[0].short_description is None


def test_several_pricing_indicators_and_lab_certifications(store):
    rows = {row.label: row for row in store.get("G9143").fields}
    assert rows["Pricing Indicator Code #1"].meaning == (
        "Price established by carriers (e.g., not otherwise classified, individual determination, carrier discretion)"
    )
    assert rows["Pricing Indicator Code #2"].meaning == "Price subject to national limitation amount"
    assert rows["Lab Certification Code #1"].meaning == "General immunology (under 200 Diagnostic immunology)"
    assert rows["Lab Certification Code #2"].meaning == "Hematology"
    assert "Lab Certification Code #3" not in rows


def test_noc_from_cms_list_and_from_description(store):
    assert store.get("J3490", "2019-01").noc_source == "CMS NOC list loaded with release 2019-01"
    assert store.get("J3490", "2020-10").noc_source == "CMS NOC list loaded with release 2019-01"
    assert store.get("S9329").noc is False
    # P9099 ('Blood component or product not otherwise classified') came after the 2019 list.
    assert store.get("P9099", "2020-10").noc_source == "description"


# Codes of 2019-01 that are not on CMS's NOC list although a description word reads like one:
# a quality measure's "reason not otherwise specified" (G8701, G9699), a diagnosis class
# ("nsclc-nos", G9283), a short description's loose "nos" (G9062, L3980), modifier AQ ("an
# unlisted health professional shortage area").
NOT_NOC = ("G8701", "G9699", "G9918", "G9283", "G9291", "G9062", "L3980", "AQ")


@pytest.mark.parametrize("code", NOT_NOC)
def test_codes_off_cms_noc_list_are_not_noc(store, code):
    page = store.get(code, "2019-01")
    assert (page.noc, page.noc_source) == (False, None)
    assert is_noc_description(page) is False  # nor by the description rule alone


def test_description_rule_agrees_with_cms_noc_list(store):
    """The rule judges codes added after the newest loaded list; on 2019-01, where CMS's list is
    known, it agrees with it but for a few codes the list itself holds loosely (S5150 'Unskilled
    respite care, not hospice'; G9743 '..., reason not otherwise specified')."""
    listed = store.noc_code_set("2019-01")
    records = list(store.records("2019-01"))
    flagged = {r.code for r in records if is_noc_description(r)}
    assert len(flagged - listed) <= 1 and len(listed - flagged) <= 8
    assert {"J3490", "A9999", "E1399", "L8499", "J9999", "C9399"} <= flagged & listed
    with_list = [store.get(r.code, "2019-01") for r in records if r.code in listed | flagged]
    assert {page.code for page in with_list if page.noc} == listed  # the list decides where it applies


def test_validate_no_longer_warns_noc_for_quality_measures(store):
    for code in ("G8701", "G9699", "G9283"):
        assert "noc_requires_description" not in store.check_line(code, "2019-06-01")["issues"]
    assert "noc_requires_description" in store.check_line("J3490", "2019-06-01")["issues"]


def test_lookup_accepts_any_case_and_spaces_and_explains_failures(store):
    assert store.lookup("  s9329 ").code == "S9329"
    with pytest.raises(MalformedCodeError):
        store.lookup("S93#9")
    with pytest.raises(MalformedCodeError):
        store.lookup("S932")
    with pytest.raises(UnknownCodeError) as error:
        store.lookup("S9371")
    assert error.value.suggestions and all(s.startswith("S9") for s in error.value.suggestions)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("99213", "99213 is a CPT (Level I) code; HCPCS Level II codes start with a letter"),
        ("0001f", "0001F is a CPT (Level I) code; HCPCS Level II codes start with a letter"),
        ("25", "25 is a CPT (Level I) modifier; HCPCS Level II modifiers start with a letter"),
    ],
)
def test_cpt_shaped_codes_are_named_as_such_not_given_lookalikes(store, typed, message):
    with pytest.raises(LevelOneCodeError) as error:
        store.lookup(typed)
    assert str(error.value) == message and error.value.suggestions == []
    assert isinstance(error.value, UnknownCodeError)  # a lookup miss: exit 1, HTTP 404


def test_json_shape(full_store):
    result = run_cli("--db", str(full_store), "show", "s9329", "--format", "json")
    assert result.returncode == 0
    page = json.loads(result.stdout)
    for key in (
        "code",
        "release",
        "kind",
        "long_description",
        "status",
        "category",
        "noc",
        "processing_note_text",
    ):
        assert key in page
    assert all(set(row) == {"name", "label", "value", "meaning", "definition"} for row in page["fields"])
    assert page["fields"][0] == {
        "name": "code",
        "label": "HCPCS Code",
        "value": "S9329",
        "meaning": None,
        "definition": page["fields"][0]["definition"],
    }


def test_text_page_in_100_columns(full_store):
    result = run_cli("--db", str(full_store), "show", "S9329")
    assert result.returncode == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    for label, _, _ in MODEL_S9329:
        assert label in result.stdout
    for phrase in (
        "Not payable by Medicare",
        "Undefined codes",
        "No maintenance for this code",
        "Status",
        "Actual",
    ):
        assert phrase in result.stdout


def test_markdown_and_html_show_every_field(store):
    page = store.get("S9329")
    markdown = code_markdown(page)
    assert markdown.startswith("# S9329: Hit chemo per diem")
    assert "| Coverage Code | I | Not payable by Medicare | A code denoting Medicare coverage status. |" in markdown

    html = code_html(page)
    rows = [row for row in cells(html) if len(row) == 3][1:]  # the header row first
    shown = [f for f in page.fields if f.value is not None and f.name not in ("code", "long_description",
                                                                             "short_description")]  # fmt: skip
    assert [row[0] for row in rows] == [f.label for f in shown]
    assert ["Coverage Code", "I", "Not payable by Medicare"] in rows
    assert "A code denoting Medicare coverage status." in html  # behind a disclosure
    assert "Last updated" in html and "hcpcs@cms.hhs.gov" in html


def test_show_errors(full_store):
    unknown = run_cli("--db", str(full_store), "show", "S9371")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error: S9371 is not a code of release 2026-07; closest: ")
    malformed = run_cli("--db", str(full_store), "show", "S93#9")
    assert malformed.returncode == 2
    assert "is not a HCPCS code" in malformed.stderr and "Traceback" not in malformed.stderr
