"""The drug answers over HTTP (the real server): REST, OpenAPI, FHIR $translate, the J0696 page
with its payment-limit chart in headless Chromium."""

from __future__ import annotations

import json

import httpx
import pytest

from hcpcs.store import Store

from conftest import run_cli
from drugs_support import serving, store_with_drugs

NDC_SYSTEM = "http://hl7.org/fhir/sid/ndc"
HCPCS_SYSTEM = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"


@pytest.fixture(scope="module")
def db(tmp_path_factory, full_store):
    return store_with_drugs(tmp_path_factory.mktemp("drugs-web"), full_store)


@pytest.fixture(scope="module")
def server(db):
    with serving(db) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


def cli_json(db, *args: str) -> dict:
    return json.loads(run_cli("--db", str(db), *args, "--format", "json").stdout)


def test_rest_answers_are_the_cli_json(client, db):
    price = client.get("/api/v1/codes/j0696/price", params={"quarter": "2026-01"})
    assert price.status_code == 200 and price.headers["x-drug-quarter"] == "2026-01"
    assert price.json() == cli_json(db, "price", "J0696", "--quarter", "2026-01")
    assert price.json()["payment_limit"] == 0.462
    ndc = client.get("/api/v1/ndc/0143-9857-25", params={"on": "2026-02-01"})
    assert ndc.json() == cli_json(db, "ndc", "0143-9857-25", "--on", "2026-02-01")
    assert "x-data-warning" not in ndc.headers
    later = client.get("/api/v1/ndc/00143985725", params={"on": "2030-01-01"})
    assert later.headers["x-data-warning"].startswith("2030-01-01 is past the stored drug data")


@pytest.mark.parametrize(
    ("path", "params", "status", "detail"),
    [
        ("/api/v1/ndc/0143985725", {}, 400, "is not an NDC"),
        ("/api/v1/ndc/00143-9857-99", {}, 404, "is not in the NDC-HCPCS crosswalk"),
        ("/api/v1/codes/J9999/price", {}, 404, "has no payment limit"),
        ("/api/v1/codes/90371/price", {}, 400, "Level I (CPT)"),
        ("/api/v1/codes/J0696/price", {"quarter": "2025-04"}, 404, "is not stored"),
        ("/api/v1/codes/J0696/price", {"quarter": "25-04"}, 400, "quarter"),
        ("/api/v1/codes/J0696/price", {"on": "2025-05-01"}, 404, "no stored drug quarter covers 2025-05-01"),
        ("/api/v1/codes/J0696/price", {"on": "2026-02-30"}, 400, "is not a date"),
        ("/api/v1/codes/J0696/price", {"on": "2025-08-01", "quarter": "2026-01"}, 404, "does not cover 2025-08-01"),
    ],
)
def test_bad_questions_are_problem_details(client, path, params, status, detail):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]


def test_openapi_documents_both_endpoints_with_their_errors(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/codes/{code}/price", "/api/v1/ndc/{ndc}"):
        responses = paths[path]["get"]["responses"]
        assert {"200", "400", "404"} <= set(responses)
        assert "detail" in responses["404"]["content"]["application/problem+json"]["schema"]["required"]
    assert "billing_units_per_package" in json.dumps(client.get("/openapi.json").json()["components"]["schemas"])


def test_fhir_translate_from_ndc_to_hcpcs_by_quarter(client):
    from fhir.resources.R4B.operationoutcome import OperationOutcome
    from fhir.resources.R4B.parameters import Parameters

    params = {"system": NDC_SYSTEM, "code": "0143-9857-25", "conceptMapVersion": "2024-01"}
    translated = Parameters.model_validate(client.get("/fhir/ConceptMap/$translate", params=params).json())
    values = {p.name: p for p in translated.parameter}
    assert values["result"].valueBoolean is True
    assert "J0696: 4 billing units (250 MG) per item, 100 per package" in values["message"].valueString
    match = values["match"]
    assert [part.name for part in match.part] == ["equivalence", "concept", "source"]
    assert (match.part[1].valueCoding.system, match.part[1].valueCoding.code) == (HCPCS_SYSTEM, "J0696")
    assert match.part[2].valueUri.endswith("/ConceptMap/ndc|2024-01")
    posted = client.post(
        "/fhir/ConceptMap/$translate",
        json={"resourceType": "Parameters", "parameter": [
            {"name": "system", "valueUri": NDC_SYSTEM}, {"name": "code", "valueCode": "55513-0002-04"},
            {"name": "date", "valueDate": "2026-02-01"}]},
        headers={"content-type": "application/fhir+json"},
    ).json()  # fmt: skip
    codes = [p["part"][1]["valueCoding"]["code"] for p in posted["parameter"] if p["name"] == "match"]
    assert codes == ["J0881", "J0882"]
    unknown = client.get("/fhir/ConceptMap/$translate", params={"system": NDC_SYSTEM, "code": "00143-9857-99"}).json()
    assert unknown["parameter"][0] == {"name": "result", "valueBoolean": False}
    not_an_ndc = client.get("/fhir/ConceptMap/$translate", params={"system": NDC_SYSTEM, "code": "12"})
    assert not_an_ndc.status_code == 200 and not_an_ndc.json()["parameter"][0] == {
        "name": "result",
        "valueBoolean": False,
    }
    bad = client.get("/fhir/ConceptMap/$translate", params={"system": NDC_SYSTEM})
    assert bad.status_code == 400
    OperationOutcome.model_validate(bad.json())
    missing = client.get("/fhir/ConceptMap/$translate", params={**params, "conceptMapVersion": "2025-04"})
    assert missing.status_code == 404 and missing.json()["issue"][0]["code"] == "not-found"
    wrong_target = client.get("/fhir/ConceptMap/$translate", params={**params, "targetsystem": "http://loinc.org"})
    assert wrong_target.status_code == 400
    # The HCPCS-to-HCPCS replacement map is unchanged.
    assert client.get("/fhir/ConceptMap/$translate", params={"code": "A4466"}).json()["parameter"][0]["valueBoolean"]


def test_j0696_page_shows_the_payment_limit_chart_in_chromium(server, browser, db, tmp_path):
    with Store(db) as store:
        history = [(q, limit) for q, _, limit in store.drugs.payment_history("J0696")]
    assert len(history) == 7
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/codes/J0696")
    chart = page.locator("section.drug svg.payment-chart")
    assert chart.is_visible()
    circles = chart.locator("circle")
    assert circles.count() == len(history)
    assert [circles.nth(i).get_attribute("data-quarter") for i in range(len(history))] == [q for q, _ in history]
    assert chart.locator("polyline").get_attribute("points").count(",") == len(history)
    ys = [float(circles.nth(i).get_attribute("cy")) for i in range(len(history))]
    limits = [limit for _, limit in history]
    assert ys.index(min(ys)) == limits.index(max(limits)) and ys.index(max(ys)) == limits.index(min(limits))
    box, table = chart.bounding_box(), page.locator("table.drug-limits").bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    assert box["x"] >= table["x"] + table["width"] and abs(box["y"] - table["y"]) < 40  # beside the table
    assert page.locator("table.drug-limits tbody tr").count() == len(history)
    assert "$0.462 per 250 MG" in page.locator("table.drug-facts").inner_text()
    page.screenshot(path=str(tmp_path / "J0696-1280.png"), full_page=True)
    narrow = browser.new_page(viewport={"width": 390, "height": 844})
    narrow.goto(f"{server}/codes/J0696")
    small, under = (
        narrow.locator("svg.payment-chart").bounding_box(),
        narrow.locator("table.drug-limits").bounding_box(),
    )
    assert small["y"] >= under["y"] + under["height"]  # below the table on a phone
    assert small["x"] + small["width"] <= 390
    narrow.locator("section.drug details summary").click()  # the NDC packages, opened
    outside = narrow.evaluate(
        "[...document.querySelectorAll('section.drug *')].filter(e => !e.closest('.drug-scroll > *') &&"
        " e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName)"
    )
    assert outside == []  # nothing of the section is wider than a phone (the packages table scrolls in its box)
    narrow.screenshot(path=str(tmp_path / "J0696-390.png"), full_page=True)
    other = browser.new_page()
    other.goto(f"{server}/codes/E0431")
    assert other.locator("section.drug").count() == 0


def test_schemathesis_finds_no_server_error_in_the_drug_endpoints(server):
    """Property-based requests to the two drug endpoints, generated from /openapi.json: no 5xx."""
    import subprocess

    result = subprocess.run(
        ["schemathesis", "run", f"{server}/openapi.json", "--include-tag", "Part B drugs",
         "--checks", "not_a_server_error", "--max-examples", "50", "--seed", "1"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Tested: 2" in result.stdout  # both drug endpoints were exercised
