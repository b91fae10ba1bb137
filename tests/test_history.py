"""History on the bundled releases: diffs, CMS's change report, timelines, as-of dates, replacements."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hcpcs.history.diff import check_report
from hcpcs.ingest.fixed_width import read_text
from hcpcs.model import FIELD_NAMES
from hcpcs.store import Store

from conftest import BUNDLED_LABELS, ZIP_2019, ZIP_2020, run_cli, zip_member


@pytest.fixture(scope="module")
def store(full_store):
    with Store(full_store) as opened:
        yield opened


def test_diff_is_exactly_the_field_level_difference_of_the_two_files(store):
    """Recompute the 2019-01 -> 2020-01 diff straight from CMS's two text files."""
    before = {r.code: r.to_dict() for r in read_text(zip_member(ZIP_2019, "HCPC2019_CONTR_ANWEB.txt"), "a").records}
    after = {
        r.code: r.to_dict() for r in read_text(zip_member(ZIP_2020, "HCPC2020_ANWEB_w_disclaimer.txt"), "b").records
    }
    skipped = {"code", "release", "action_code", "action_effective_date"}
    expected_changed = {}
    for code in sorted(set(before) & set(after)):
        fields = {n: [before[code][n], after[code][n]] for n in FIELD_NAMES if n not in skipped}
        fields = {n: v for n, v in fields.items() if v[0] != v[1]}
        if fields:
            expected_changed[code] = fields
    result = store.diff("2019-01", "2020-01").to_dict()
    assert result == {
        "from": "2019-01",
        "to": "2020-01",
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": expected_changed,
    }
    assert len(result["added"]) == 279 and len(result["changed"]) == 177
    assert result["changed"]["E0210"] == {"type_of_service": [["A", "L", "P"], ["A", "L", "P", "R"]]}


@pytest.mark.parametrize(
    "old, new, added", [("2020-01", "2020-04", 18), ("2020-04", "2020-07", 61), ("2020-07", "2020-10", 38)]
)
def test_consecutive_quarterly_diffs(store, old, new, added):
    result = store.diff(old, new)
    assert len(result.added) == added
    assert result.removed == []
    for code in result.added:
        assert store.record(code, new).added_date <= f"{new}-01"


def test_cli_diff_formats(full_store):
    as_json = run_cli("--db", str(full_store), "diff", "2019-01", "2020-01", "--format", "json")
    assert json.loads(as_json.stdout)["changed"]["E0776"] == {
        "type_of_service": [["A", "E", "P"], ["A", "E", "P", "R"]]
    }
    as_csv = run_cli("--db", str(full_store), "diff", "2020-07", "2020-10", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(rows[0]) == ["code", "change", "field", "old", "new"]
    assert sum(1 for row in rows if row["change"] == "added") == 38
    table = run_cli("--db", str(full_store), "diff", "2019-01", "2020-01")
    assert "279 added, 0 removed, 177 changed" in table.stdout
    bad = run_cli("--db", str(full_store), "diff", "2019-01", "2031-01")
    assert bad.returncode == 2 and bad.stderr.startswith("error: release '2031-01' is not in the store")


def test_change_report_check_2020_reproduces_cms_report_but_for_these_codes(store):
    """CMS's 2020 report (Changes_by_HCPC) set against the 2019-01 and 2020-01 data.

    It compares with the October 2019 file, so codes added by the 2019 quarters (and
    those discontinued again) show as added here; and it marks some real edits 'No Change'.
    """
    disagreements = {
        d.code: (d.report_action_code, d.data) for d in check_report(store, store.diff("2019-01", "2020-01"))
    }
    marked_no_change_but_edited = {
        "B4105": "pricing_indicators, multiple_pricing_indicator, coverage, processing_note",
        "C9034": "cross_references, asc_group, asc_effective_date, termination_date",
        "C9468": "cross_references",
        "E0210": "type_of_service",
        "E0776": "type_of_service",
        "J7329": "asc_group, asc_effective_date",
        "Q9994": "pricing_indicators, multiple_pricing_indicator, cross_references, coverage, processing_note",
    }
    added_during_2019 = ["C1890", "DA", "G2001", "G2002", "G2003", "G2004", "G2005", "G2006", "G2007", "G2008",
                         "G2009", "G2013", "G2014", "G2015", "J1095", "J2186", "J2787", "Q5111"]  # fmt: skip
    added_and_discontinued_in_2019 = ["C9040", "C9042", "C9043", "C9044", "C9045", "C9048", "C9049", "C9050",
                                      "C9051", "C9052", "C9141"]  # fmt: skip
    expected = {code: ("N", data) for code, data in marked_no_change_but_edited.items()}
    expected.update({code: ("N", "added") for code in added_during_2019})
    expected.update({code: ("D", "added") for code in added_and_discontinued_in_2019})
    assert disagreements == expected


def test_timeline_of_a_changed_and_terminated_code(store):
    line = store.history("c9034")
    assert line.releases == BUNDLED_LABELS
    assert [(e.release, e.kind) for e in line.events] == [
        ("2019-01", "first seen"),
        ("2020-01", "changed"),
        ("2020-01", "terminated"),
    ]
    assert line.events[1].changes["termination_date"] == [None, "2018-12-31"]
    assert line.events[1].changes["cross_references"] == [[], ["J1095"]]


def test_timeline_of_a_code_added_by_a_quarter(store):
    line = store.history("U0001")
    assert line.releases == [label for label in BUNDLED_LABELS if label >= "2020-04"]
    assert line.events[0].kind == "first seen"


def test_a_code_that_left_the_file_and_a_reused_label(tmp_path):
    """Real files, relabelled: the 2019-01 file loaded as if it were a later release 2021-01.

    Codes the 2020 releases added are then absent from '2021-01': they left the file.
    """
    path = tmp_path / "s.sqlite"
    with Store(path, write=True) as store:
        store.load([ZIP_2020])
        store.load([ZIP_2019], release="2021-01")
        line = store.history("G2001")  # added during 2019, so in 2020-01 but not in the 2019-01 file
        assert line.releases == ["2020-01"]
        assert [(e.release, e.kind) for e in line.events] == [("2020-01", "first seen"), ("2021-01", "left the file")]


def test_as_of_a_date_around_quarter_boundaries(store):
    assert store.record("U0001", "2020-04").added_date == "2020-02-04"
    april_code = next(
        code
        for code in store.diff("2020-01", "2020-04").added
        if store.record(code, "2020-04").added_date == "2020-04-01"
    )
    assert not store.is_valid(april_code, on="2020-03-31")
    assert store.is_valid(april_code, on="2020-04-01")
    # The earliest later release answers for a date before it was loaded.
    assert store.get(april_code, on="2020-03-31").release == "2020-04"
    assert store.get(april_code, on="2020-03-31").status == "Not yet effective"
    # Each date is judged by the release in effect then: the 2019-01 file had C9034 in force;
    # the 2020-01 file terminated it retroactively on 2018-12-31.
    assert store.is_valid("C9034", on="2018-12-31")
    assert store.is_valid("C9034", on="2019-01-01")
    assert not store.is_valid("C9034", on="2020-01-15")
    assert store.get("S9329", on="2019-06-01").release == "2019-01"
    assert store.get("S9329", on="2020-08-15").release == "2020-07"
    assert not store.is_valid("ZZZZZ", on="2020-01-01")


def test_replacement_chains(store):
    chain = store.replacements("A4466")
    assert (chain.replacements, chain.ambiguous) == (["A4467"], False)
    assert store.replacements("C9040").paths == [["C9040", "J3031"]]
    assert store.replacements("C8904").unresolved == ["77046"]  # a CPT code: not in Level II files
    assert store.replacements("S9329").replacements == []  # in force: nothing to replace
    page = store.get("A4466")
    assert page.status == "Terminated" and page.replaced_by == ["A4467"]


def test_show_on_a_date_and_history_cli(full_store):
    result = run_cli("--db", str(full_store), "show", "C9034", "--on", "2018-12-31", "--format", "json")
    page = json.loads(result.stdout)
    assert (page["release"], page["status"]) == ("2019-01", "Actual")
    later = json.loads(run_cli("--db", str(full_store), "show", "C9034", "--format", "json").stdout)
    assert later["status"] == "Terminated" and later["replaced_by"] == ["J1095"]
    history = json.loads(run_cli("--db", str(full_store), "history", "c9034", "--format", "json").stdout)
    assert history["replacements"]["replacements"] == ["J1095"]
    bad = run_cli("--db", str(full_store), "show", "C9034", "--on", "2018-02-30")
    assert bad.returncode == 2 and "is not a date" in bad.stderr
