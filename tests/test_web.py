"""The real server over HTTP: REST, NLM-compatible search, FHIR terminology, pages, bad input."""

from __future__ import annotations

import subprocess

import pytest

from conftest import BUNDLED_LABELS

SYSTEM = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"


def test_code_endpoint_is_the_show_json(client, full_store):
    from conftest import run_cli

    body = client.get("/api/v1/codes/s9329").json()
    cli = __import__("json").loads(run_cli("--db", str(full_store), "show", "S9329", "--format", "json").stdout)
    assert body == cli
    assert client.get("/api/v1/codes/S9329", params={"release": "2019-01"}).json()["release"] == "2019-01"
    assert client.get("/api/v1/codes/C9034", params={"on": "2018-12-31"}).json()["status"] == "Actual"


@pytest.mark.parametrize(
    "path, params, status",
    [
        ("/api/v1/codes/S93%239", {}, 400),
        ("/api/v1/codes/S9371", {}, 404),
        ("/api/v1/codes/S9329", {"release": "2031-01"}, 404),
        ("/api/v1/codes/S9329", {"release": "20x1"}, 400),
        ("/api/v1/codes/S9329", {"on": "2020-02-30"}, 400),
        ("/api/v1/search", {"limit": "abc"}, 400),
        ("/api/v1/search", {"limit": "100000"}, 400),
        ("/api/v1/search", {"q": "x" * 10_000}, 400),
        ("/api/v1/diff", {"from": "2019-01"}, 400),
        ("/api/v1/diff", {"from": "2019-01", "to": "2031-01"}, 404),
        ("/api/v1/codes/..%2F..%2Fetc%2Fpasswd", {}, 404),
        ("/api/v1/nothing", {}, 404),
    ],
)
def test_errors_are_problem_details(client, path, params, status):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status and response.json()["detail"]


def test_search_suggest_releases_diff_history_codebook(client):
    found = client.get("/api/v1/search", params={"q": "o2 tank", "limit": 3}).json()
    assert found["results"][0]["code"] == "E0431" and found["total"] >= 3
    assert client.get("/api/v1/search", params={"q": "oxygen", "kind": "modifier"}).json()["total"] == 0 or all(
        len(hit["code"]) == 2
        for hit in client.get("/api/v1/search", params={"q": "oxygen", "kind": "modifier"}).json()["results"]
    )
    assert client.get("/api/v1/suggest", params={"q": "E04"}).json()[0]["code"] == "E0424"
    assert [r["release"] for r in client.get("/api/v1/releases").json()] == BUNDLED_LABELS
    diff = client.get("/api/v1/diff", params={"from": "2019-01", "to": "2020-01"}).json()
    assert diff["changed"]["E0210"] == {"type_of_service": [["A", "L", "P"], ["A", "L", "P", "R"]]}
    history = client.get("/api/v1/codes/C9034/history").json()
    assert history["replacements"]["replacements"] == ["J1095"]
    assert "tables" in client.get("/api/v1/codebook").json()
    openapi = client.get("/openapi.json").json()
    limit = next(p for p in openapi["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 500


def test_nlm_compatible_search(client):
    total, codes, extra, display = client.get(
        "/api/hcpcs/v3/search",
        params={"terms": "oxygen concentrator", "ef": "short_desc,is_noc,obsolete", "maxList": 5},
    ).json()
    assert total >= 3 and len(codes) <= 5 and "E1390" in codes
    assert set(extra) == {"short_desc", "is_noc", "obsolete"} and len(extra["short_desc"]) == len(codes)
    assert display[0][0] == codes[0] and len(display[0]) == 2  # default df: code, display
    empty = client.get("/api/hcpcs/v3/search", params={"terms": ""}).json()
    assert empty == [0, [], None, []]
    paged = client.get("/api/hcpcs/v3/search", params={"terms": "wheelchair", "count": 3, "offset": 3}).json()
    first = client.get("/api/hcpcs/v3/search", params={"terms": "wheelchair", "count": 6}).json()
    assert paged[1] == first[1][3:6]
    noc = client.get("/api/hcpcs/v3/search", params={"terms": "drug", "q": "is_noc:true", "ef": "is_noc"}).json()
    assert noc[0] > 0 and all(noc[2]["is_noc"])
    assert client.get("/api/hcpcs/v3/search", params={"terms": "x", "df": "nope"}).status_code == 400


def test_fhir_resources_validate(client):
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement
    from fhir.resources.R4B.codesystem import CodeSystem
    from fhir.resources.R4B.operationoutcome import OperationOutcome
    from fhir.resources.R4B.parameters import Parameters
    from fhir.resources.R4B.terminologycapabilities import TerminologyCapabilities
    from fhir.resources.R4B.valueset import ValueSet

    CapabilityStatement.model_validate(client.get("/fhir/metadata").json())
    TerminologyCapabilities.model_validate(client.get("/fhir/metadata", params={"mode": "terminology"}).json())
    assert Bundle.model_validate(client.get("/fhir/CodeSystem").json()).total == len(BUNDLED_LABELS)
    CodeSystem.model_validate(client.get("/fhir/CodeSystem/hcpcs-2020-10").json())
    lookup = Parameters.model_validate(
        client.get("/fhir/CodeSystem/$lookup", params={"system": SYSTEM, "code": "S9329"}).json()
    )
    values = {p.name: p for p in lookup.parameter}
    assert values["display"].valueString == "Hit chemo per diem"
    assert any(p.name == "property" and p.part[0].valueCode == "Coverage Code" for p in lookup.parameter)
    valid = client.get(
        "/fhir/CodeSystem/$validate-code", params={"url": SYSTEM.replace("http:", "https:"), "code": "E0431"}
    )
    checked = {p.name: p for p in Parameters.model_validate(valid.json()).parameter}
    assert checked["result"].valueBoolean is True and checked["system"].valueUri == SYSTEM
    posted = client.post(
        "/fhir/ValueSet/$validate-code",
        json={"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": SYSTEM + "?vs"},
                                                          {"name": "code", "valueCode": "A4466"}]},
        headers={"content-type": "application/fhir+json"},
    )  # fmt: skip
    assert {p.name: p for p in Parameters.model_validate(posted.json()).parameter}["result"].valueBoolean is False
    expansion = ValueSet.model_validate(
        client.get("/fhir/ValueSet/$expand", params={"url": SYSTEM + "?vs", "filter": "o2 tank", "count": 3}).json()
    ).expansion
    assert expansion.total >= 3 and len(expansion.contains) == 3 and expansion.contains[0].code == "E0431"
    page2 = client.get(
        "/fhir/ValueSet/$expand", params={"url": SYSTEM + "?vs", "filter": "o2 tank", "count": 3, "offset": 3}
    ).json()
    assert page2["expansion"]["offset"] == 3 and page2["expansion"]["contains"][0]["code"] not in [
        c.code for c in expansion.contains
    ]
    translated = Parameters.model_validate(client.get("/fhir/ConceptMap/$translate", params={"code": "A4466"}).json())
    match = next(p for p in translated.parameter if p.name == "match")
    assert match.part[1].valueCoding.code == "A4467"
    missing = client.get("/fhir/CodeSystem/$lookup", params={"code": "ZZ999"})
    assert missing.status_code == 404
    OperationOutcome.model_validate(missing.json())
    wrong = client.get("/fhir/CodeSystem/$lookup", params={"system": "http://loinc.org", "code": "S9329"})
    assert wrong.status_code == 400 and wrong.json()["resourceType"] == "OperationOutcome"
    assert (
        client.post(
            "/fhir/CodeSystem/$lookup", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )


def test_pages(client):
    home = client.get("/")
    assert home.status_code == 200 and 'action="/search" method="get" role="search"' in home.text
    page = client.get("/codes/S9329")
    assert "Not payable by Medicare" in page.text and 'href="/codes/S9329/history"' in page.text
    terminated = client.get("/codes/A4466")
    assert 'href="/codes/A4467"' in terminated.text
    assert "E0431" in client.get("/search", params={"q": "o2 tank"}).text
    assert "2019-Alpha-Numeric-HCPCS-File.zip" in client.get("/releases").text
    assert "E0210" in client.get("/diff/2019-01/2020-01").text
    assert "E1390" in client.get("/categories/E0000-E9999").text
    assert "first seen" in client.get("/codes/C9034/history").text
    assert client.get("/codes/S9371").status_code == 404


def test_other_methods_never_fail(client):
    assert client.head("/api/v1/releases").status_code in (200, 405)
    assert client.options("/api/v1/releases").status_code in (200, 405)
    assert client.request("DELETE", "/api/v1/releases").status_code == 405
    assert client.get("/api/v1/search", params={"q": '"(*:NEAR AND', "unknown": "1"}).status_code == 200


def test_schemathesis_finds_no_server_error(server):
    """Property-based requests generated from /openapi.json: no 5xx anywhere."""
    result = subprocess.run(
        ["schemathesis", "run", f"{server}/openapi.json", "--checks", "all",
         "--max-examples", "25", "--seed", "1"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout


def test_browser_types_picks_a_suggestion_and_sees_the_code_page(server, browser):
    """Real headless Chromium (Debian's) driven by Playwright."""
    page = browser.new_page()
    page.goto(f"{server}/")
    page.fill("#q", "oxygen concentr")
    page.wait_for_selector("#suggestions [role=option]", timeout=10_000)
    page.locator("#suggestions [role=option]", has_text="E1390").first.click()
    page.wait_for_url("**/codes/E1390")
    assert page.locator("h1").inner_text().startswith("E1390")
    row = page.locator("table.fields tr[data-field='coverage']")
    assert row.locator("th a").inner_text() == "Coverage Code"
    assert row.locator("td").nth(1).inner_text() == "Special coverage instructions apply"
    page.goto(f"{server}/search?q=o2+tank")
    assert page.locator("table.results a", has_text="E0431").count() == 1
    page.close()


@pytest.mark.parametrize("code", ["S9329", "A4466", "E1390", "RR"])
def test_static_site_pages_match_the_server_pages(client, site, code):
    from conftest import cells

    served = cells(client.get(f"/codes/{code}", params={"release": "2020-10"}).text)
    assert served and cells((site / "codes" / f"{code}.html").read_text(encoding="utf-8")) == served
