"""Answers from the drug tables: a code's payment limit, an NDC's codes and billing units, in
every form people type an NDC, with the quarter that answered and how current it is."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from hcpcs.drugs.errors import MalformedNdcError
from hcpcs.drugs.kinds import PAYMENT_LIMITS
from hcpcs.drugs.ndc import normalize_ndc, parse_ndc
from hcpcs.store import Store

from conftest import run_cli
from drugs_support import extract, store_with_drugs

PRICE_KEYS = ["code", "quarter", "dosage", "payment_limit", "coinsurance_percentage", "vaccine_awp_percentage",
              "vaccine_limit", "blood_awp_percentage", "blood_limit", "clotting_factor", "notes"]  # fmt: skip
MAPPING_KEYS = ["code", "short_description", "labeler", "drug_name", "hcpcs_dosage", "package_size",
                "package_quantity", "billing_units_per_item", "billing_units_per_package"]  # fmt: skip
PAST_NEWEST = dt.date.today().isoformat() > "2026-03-31"


@pytest.fixture(scope="module")
def db(tmp_path_factory, full_store):
    return store_with_drugs(tmp_path_factory.mktemp("drugs"), full_store)


@pytest.fixture(scope="module")
def store(db):
    with Store(db) as opened:
        yield opened


def cms_payment_limit(quarter: str, code: str) -> str:
    """The payment limit as CMS's file writes it, read with the csv module alone."""
    rows = csv.reader(io.StringIO(extract(quarter, PAYMENT_LIMITS).decode("utf-8"), newline=""))
    return next(row[3] for row in rows if row and row[0] == code)


def test_ndc_as_the_issue_asks(db):
    result = run_cli("--db", str(db), "ndc", "0143-9857-25", "--on", "2026-02-01", "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    answer = json.loads(result.stdout)
    assert list(answer) == ["ndc", "quarter", "mappings"]
    assert (answer["ndc"], answer["quarter"]) == ("00143-9857-25", "2026-01")
    (mapping,) = answer["mappings"]
    assert list(mapping) == MAPPING_KEYS
    assert (mapping["code"], mapping["billing_units_per_item"], mapping["billing_units_per_package"]) == (
        "J0696",
        4,
        100,
    )
    assert (mapping["hcpcs_dosage"], mapping["package_quantity"], mapping["package_size"]) == ("250 MG", 25, 1)
    assert mapping["short_description"] == "Ceftriaxone sodium injection"


def test_price_as_the_issue_asks_to_the_cent(db):
    result = run_cli("--db", str(db), "price", "J0696", "--quarter", "2026-01", "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    answer = json.loads(result.stdout)
    assert list(answer) == PRICE_KEYS
    cms = cms_payment_limit("2026-01", "J0696")
    assert cms == "0.462" and answer["payment_limit"] == float(cms)
    assert (answer["dosage"], answer["coinsurance_percentage"], answer["notes"]) == ("250 MG", 20.0, None)
    text = run_cli("--db", str(db), "price", "j0696", "--quarter", "2026-01")
    assert "Payment limit: $0.462 per 250 MG" in text.stdout and "Co-insurance: 20%" in text.stdout


def test_every_form_people_type_an_ndc(store):
    connection = store.connection
    forms = {
        "5-3-2": r"[0-9]{5}-0[0-9]{3}-[0-9]{2}",
        "5-4-1": r"[0-9]{5}-[0-9]{4}-0[0-9]",
        "4-4-2": r"0[0-9]{4}-[0-9]{4}-[0-9]{2}",
    }
    for name, pattern in forms.items():
        ndcs = [n for (n,) in connection.execute("SELECT DISTINCT ndc FROM drug_crosswalk WHERE quarter = '2026-01'")
                if n and __import__("re").fullmatch(pattern, n)]  # fmt: skip
        ndc = ndcs[0]
        labeler, product, package = ndc.split("-")
        short = {"5-3-2": f"{labeler}-{product[1:]}-{package}", "5-4-1": f"{labeler}-{product}-{package[1:]}",
                 "4-4-2": f"{labeler[1:]}-{product}-{package}"}[name]  # fmt: skip
        for typed in (ndc, ndc.replace("-", ""), f"  {ndc} ", short):
            answer = store.ndc(typed, quarter="2026-01")
            assert answer.ndc == ndc, (name, typed)
            line = store.check_line(answer.mappings[0]["code"], "2026-02-01", ndc=typed)  # claim lines read it too
            assert "ndc" not in line["issues"], (name, typed, line["issues"])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("00143-9857-25", "00143-9857-25"), ("00143985725", "00143-9857-25"), ("0143-9857-25", "00143-9857-25"),
     ("12345-678-90", "12345-0678-90"), ("12345-6789-1", "12345-6789-01"), ("0143985725", None), ("143-9857-25", None),
     ("00143-9857-255", None), ("00143 9857 25", None), ("", None), ("J0696", None)],
)  # fmt: skip
def test_ndc_forms(typed, expected):
    assert parse_ndc(typed) == expected
    if expected is None:
        with pytest.raises(MalformedNdcError, match="is not an NDC"):
            normalize_ndc(typed)


def test_without_a_date_the_newest_quarter_answers_and_says_when_today_is_past_it(db):
    result = run_cli("--db", str(db), "price", "J0696", "--format", "json")
    assert json.loads(result.stdout)["quarter"] == "2026-01"
    assert ("past the stored drug data" in result.stderr) is PAST_NEWEST
    later = run_cli("--db", str(db), "ndc", "00143-9857-25", "--on", "2031-05-01", "--format", "json")
    assert json.loads(later.stdout)["quarter"] == "2026-01"
    assert later.stderr.startswith("warning: 2031-05-01 is past the stored drug data: the newest stored quarter is "
                                   "2026-01 (covers 2026-01-01 to 2026-03-31)")  # fmt: skip
    assert json.loads(run_cli("--db", str(db), "price", "J0696", "--on", "2024-05-20", "--format", "json").stdout) == {
        **json.loads(run_cli("--db", str(db), "price", "J0696", "--quarter", "2024-04", "--format", "json").stdout)
    }


def test_a_code_without_a_payment_limit_names_the_nearest_quarter_that_has_one(db, store):
    dropped = store.connection.execute(
        "SELECT code, MAX(quarter) FROM drug_payment_limits GROUP BY code "
        "HAVING MAX(quarter) < '2026-01' ORDER BY MAX(quarter) DESC, code LIMIT 1"
    ).fetchone()
    code, last = dropped
    result = run_cli("--db", str(db), "price", code, "--quarter", "2026-01")
    assert result.returncode == 1
    assert (
        result.stderr
        == f"error: {code} has no payment limit in drug quarter 2026-01 (nearest quarter with one: {last})\n"
    )
    none = run_cli("--db", str(db), "price", "J9999", "--quarter", "2026-01")
    assert none.stderr == "error: J9999 has no payment limit in drug quarter 2026-01 (none in any stored quarter)\n"


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["ndc", "00143-9857-99", "--quarter", "2026-01"], 1,
         "error: NDC 00143-9857-99 is not in the NDC-HCPCS crosswalk of drug quarter 2026-01\n"),
        (["ndc", "0143985725"], 2, "error: '0143985725' is not an NDC: give 11 digits (00143-9857-25 or 00143985725) "
                                   "or a 10-digit NDC with its dashes (4-4-2, 5-3-2 or 5-4-1)\n"),
        (["price", "J0696", "--on", "2025-05-01"], 1,
         "error: no stored drug quarter covers 2025-05-01 (nearest stored: 2025-01, 2025-07)\n"),
        (["price", "J0696", "--on", "2023-06-01"], 1,
         "error: no stored drug quarter covers 2023-06-01 (nearest stored: 2024-01)\n"),
        (["price", "J0696", "--quarter", "2025-04"], 1, "error: drug quarter 2025-04 is not stored (stored: 2024-01, "
                                                        "2024-04, 2024-10, 2025-01, 2025-07, 2025-10, 2026-01)\n"),
        (["price", "J0696", "--quarter", "2026-02"], 2,
         "error: '2026-02' is not a drug quarter (YYYY-MM of its first month: 2026-01)\n"),
        (["price", "J0696", "--on", "2026-01-01", "--quarter", "2026-01"], 2,
         "error: give a date or a quarter, not both\n"),
        (["price", "J0696", "--on", "2026-02-30"], 2, "error: --on: '2026-02-30' is not a date (YYYY-MM-DD)\n"),
        (["price", "90371"], 2, "error: 90371 is a Level I (CPT) code: CPT rows of CMS's drug files are not stored\n"),
        (["price", "J06"], 2, "error: 'J06' is not a HCPCS Level II code (a letter and four digits: J0696)\n"),
    ],
)  # fmt: skip
def test_bad_questions_are_one_line(db, args, status, message):
    result = run_cli("--db", str(db), *args)
    assert (result.returncode, result.stderr, result.stdout) == (status, message, "")


def test_a_store_without_drug_files_says_how_to_get_them(full_store):
    result = run_cli("--db", str(full_store), "price", "J0696")
    assert result.returncode == 1 and result.stderr.startswith("error: the store holds no payment limit file; load one")


def test_python_api_is_the_cli(store, db):
    price = store.price(" j0696 ", on="2026-02-01")
    assert price.to_dict() == json.loads(run_cli("--db", str(db), "price", "J0696", "--on", "2026-02-01",
                                                 "--format", "json").stdout)  # fmt: skip
    assert (price.choice.quarter, price.choice.covers_until, price.choice.message) == ("2026-01", "2026-03-31", None)
    answer = store.ndc("00143985725", quarter="2024-01")
    assert answer.to_dict()["mappings"][0]["labeler"] == "HIKMA PHARMACEUTICALS USA INC."  # as that quarter wrote it
    both = store.ndc("55513-0002-04", quarter="2026-01")
    assert [m["code"] for m in both.mappings] == ["J0881", "J0882"]  # one package, two codes
    assert [q.quarter for q in store.drug_quarters()][-1] == "2026-01"
