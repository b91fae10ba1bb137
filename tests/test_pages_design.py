"""The pages for people, over the real server and the real CLI: the code page's card, last
update and contacts in every format, modifier pages, the "past the data" banner, errors as pages
for browsers, the diff in words (page and CLI table), suggestions, assets served by the package."""

from __future__ import annotations

import json
import re

import pytest

from hcpcs.page import contacts, procedure_only_fields
from hcpcs.store import Store

from conftest import BUNDLED_LABELS, run_cli

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def store(full_store):
    with Store(full_store) as opened:
        yield opened


def test_code_page_card_says_it_in_words(client):
    html = client.get("/codes/S9329").text
    card = html[html.index('<dl class="facts">') : html.index("</dl>")]
    assert "<dt>Status</dt><dd>Actual: in force since January 1, 2002</dd>" in card
    assert "<dt>Coverage</dt><dd>Not payable by Medicare (I)</dd>" in card
    assert "<dt>Pricing</dt><dd>Service not separately priced by part B" in card
    assert ">Temporary national codes (non-Medicare)</a>" in card
    assert "<dt>Last updated</dt><dd>release 2019-01, the oldest stored release (no change since)</dd>" in card
    assert html.index('class="card"') < html.index('class="fields stack"'), "the card comes before the table"
    assert "as of July 1, 2026" in html and "release 2026-07" in html
    assert "What the statuses mean" in html
    terminated = client.get("/codes/A4466").text
    assert "Terminated: last valid on" in terminated and 'status-terminated">Terminated</span>' in terminated


def test_last_update_agrees_with_the_timeline(store):
    """The page's one-query "last updated" equals what the release-by-release timeline says."""
    kinds = {"first seen", "changed", "reappeared", "reused"}
    codes = store.codes()[::97] + ["E0210", "C9053", "A4466", "G8650"]
    for code in codes:
        page = store.get(code)
        expected = max(e.release for e in store.history(code).events if e.kind in kinds)
        assert page.last_updated.release == expected, code
    assert store.get("E0210").last_updated.to_dict() == {
        "release": "2026-01",
        "kind": "changed",
        "fields": ["type_of_service"],
    }
    assert store.get("C9053", release="2020-04").last_updated.kind == "added"


def test_every_format_says_when_it_changed_and_where_to_ask(full_store, client):
    shown = json.loads(run_cli("--db", str(full_store), "show", "E0210", "--format", "json").stdout)
    assert shown["last_updated"] == {"release": "2026-01", "kind": "changed", "fields": ["type_of_service"]}
    assert shown["contacts"] == contacts()["contacts"]
    facts = ["hcpcs@cms.hhs.gov", "(877) 735-1326", "www.codingclinicadvisor.com"]
    assert [c["value"] for c in shown["contacts"]] == facts
    for output_format in ("text", "markdown", "html"):
        out = run_cli("--db", str(full_store), "show", "E0210", "--format", output_format).stdout
        assert "release 2026-01 (Type Of Service Code changed)" in out, output_format
        assert all(fact in out for fact in facts), output_format
        assert "HCPCS-related questions must be submitted online via the" in out
    page = client.get("/codes/E0210").text
    assert "release 2026-01 (Type Of Service Code changed)" in page
    assert '<a href="mailto:hcpcs@cms.hhs.gov">' in page and '<a href="tel:+18777351326">' in page


def test_modifier_pages_leave_out_procedure_only_fields(client, store):
    for field in procedure_only_fields():
        filled = store.connection.execute(
            f"SELECT count(*) FROM codes WHERE kind = 'modifier' AND {field} IS NOT NULL AND {field} NOT IN ('[]', '')"
        ).fetchone()[0]
        assert filled == 0, f"a modifier fills {field}: it is not procedure-only"
    html = client.get("/codes/LT").text
    for label in ("Pricing Indicator Code", "Type Of Service Code", "Berenson-Eggers", "ASC Payment Group"):
        assert label not in html
    assert "Carrier judgment" in html and "HCPCS Level II modifier" in html
    assert "Pricing Indicator Code" in client.get("/codes/S9329").text


def test_banner_when_the_date_is_past_the_data(client):
    past = client.get("/codes/S9329", params={"on": "2030-01-01"}).text
    assert 'class="banner"' in past and "2030-01-01 is past the stored data" in past
    assert "as of January 1, 2030" in past
    inside = client.get("/codes/S9329", params={"on": "2020-05-01"}).text
    assert 'class="banner"' not in inside and "as of May 1, 2020" in inside


def test_errors_are_pages_for_browsers_and_json_for_clients(client):
    missing = client.get("/codes/S9371", headers=BROWSER)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    closest = client.get("/codes/S9371").json()["detail"].split("closest: ")[1].split(", ")
    assert re.findall(r'<span class="code"><a href="/codes/(\w+)">', missing.text) == closest
    assert "<h1>Not found</h1>" in missing.text and ", ".join(BUNDLED_LABELS) in missing.text
    bad_date = client.get("/codes/S9329", params={"on": "2020-02-30"}, headers=BROWSER)
    assert bad_date.status_code == 400 and "is not a date" in bad_date.text
    assert "from January 1, 2019 to September 30, 2026" in bad_date.text
    unknown_release = client.get("/diff/2019-01/2031-01", headers=BROWSER)
    assert unknown_release.status_code == 404 and "2031-01" in unknown_release.text
    assert client.get("/nothing/here", headers=BROWSER).headers["content-type"].startswith("text/html")
    for path in ("/api/v1/codes/S9371", "/fhir/CodeSystem/$lookup?code=ZZ999"):
        api = client.get(path, headers=BROWSER)
        assert api.status_code == 404 and "html" not in api.headers["content-type"]
    assert client.get("/codes/S9371").headers["content-type"] == "application/problem+json"


def test_diff_page_in_words(client, store):
    html = client.get("/diff/2019-01/2020-01").text
    diff = store.diff("2019-01", "2020-01")
    assert "[&#39;" not in html and "[]" not in html and "type_of_service" not in html
    assert f'Added <span class="muted">({len(diff.added)})</span>' in html
    assert "Type Of Service Code: added <ins>R (Rental of DME)</ins>" in html
    assert "Termination Date: <del>none</del> → <ins>September 30, 2019</ins>" in html
    added = html[html.index('id="added"') : html.index('id="discontinued"')]
    assert store.record("A4226", "2020-01").short_description in added
    assert html.count('<li><span class="code">') == len(diff.added) + len(diff.removed) + len(diff.changed)


def test_cli_diff_table_in_words(full_store):
    out = run_cli("--db", str(full_store), "diff", "2019-01", "2020-01").stdout
    assert "Type Of Service Code: added R (Rental of DME)" in out
    assert "Weekly supply maint cgs pump" in out  # an added code's description
    assert "['" not in out and "type_of_service" not in out
    assert "279 added, 0 removed, 177 changed (added: 279; discontinued: 88" in out


def test_suggestions_while_typing(store):
    for typed in ("cpap m", "insulin p", "oxygen c"):
        found = store.suggest(typed, limit=8)
        assert found, typed
        last = typed.split()[-1]
        for hit in found:
            text = f"{hit['short_description']} {store.record(hit['code']).long_description}".lower()
            assert re.search(rf"\b{last}", text), (typed, hit)
    assert store.suggest("oxygen conc", limit=5)[0]["code"] == "E1390"
    assert store.suggest("oxygen concentr", limit=5)[0]["code"] == "E1390"
    assert [s["code"] for s in store.suggest("E04", limit=3)] == ["E0424", "E0425", "E0430"]


def test_no_results_hint_speaks_to_a_browser(client):
    html = client.get("/search", params={"q": "zzzqqx"}).text
    assert "--include-terminated" not in html
    assert 'href="/search?q=zzzqqx&amp;include_terminated=true">include terminated codes</a>' in html
    included = client.get("/search", params={"q": "elastic garment", "include_terminated": "true"}).text
    assert "A4466" in included and "terminated codes included" in included


def test_assets_come_from_the_package(client):
    css = client.get("/static/hcpcs.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "prefers-color-scheme: dark" in css.text
    icon = client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert client.get("/redoc").status_code == 404  # ReDoc's bundle loads its logo from a CDN: not served
    for path in ("/", "/codes/S9329", "/docs"):
        html = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|svg|png))"', html)
        assert sources and all(source.startswith("/") for source in sources), (path, sources)
    assert client.get("/definitions").text.count('class="card"') >= 25
