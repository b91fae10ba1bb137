"""The static site: one definitions page instead of definitions on every page, its size, its
own assets, and its search reading the server's lexicon offline ("o2 tank"), by keyboard too."""

from __future__ import annotations

import json
import os

from hcpcs.codebook import load_codebook
from hcpcs.search.lexicon import load_lexicon

#: The release's site may take this much room (bytes of all files); 143 MB when every page repeated the definitions.
MAX_SITE_BYTES = 40 * 1024 * 1024


def test_definitions_are_on_one_page(site):
    book = load_codebook()
    definitions = (site / "definitions.html").read_text(encoding="utf-8")
    for spec in book.fields:
        assert f'id="{spec.name}"' in definitions
    page = (site / "codes" / "S9329.html").read_text(encoding="utf-8")
    assert book.field("coverage").definition not in page
    assert page.count('href="../definitions.html#') >= 10
    assert 'href="../static/hcpcs.css"' in page and "<style" not in page
    for asset in ("hcpcs.css", "hcpcs.js", "favicon.svg", "site-search.js", "site-results.js"):
        assert (site / "static" / asset).is_file()


def test_site_size(site):
    total = sum(os.path.getsize(os.path.join(folder, name)) for folder, _, names in os.walk(site) for name in names)
    assert total <= MAX_SITE_BYTES, f"{total / 2**20:.1f} MB"


def test_search_index_carries_the_lexicon(site):
    text = (site / "search-index.js").read_text(encoding="utf-8")
    index = json.loads(text.removeprefix("window.HCPCS_INDEX = ").rstrip().removesuffix(";"))
    terms = {term for term, _ in index["lexicon"]}
    assert len(terms) == len(load_lexicon()) and {"o2", "tank", "oxygen tank"} <= terms
    assert "the" in index["stopwords"]


def test_site_search_is_offline_and_reads_lay_terms(site, browser, server):
    from playwright.sync_api import expect

    page = browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((site / "search.html").as_uri() + "?q=o2+tank")
    served = browser.new_page()
    served.goto(f"{server}/search?q=o2+tank")
    expected = served.locator("table.results td.code a").first.inner_text()
    served.close()
    assert page.locator("#results td.code a").first.inner_text() == expected == "E0431"
    page.goto((site / "codes" / "S9329.html").as_uri())
    box = page.locator("#q")
    box.press_sequentially("oxygen conc", delay=20)
    options = page.locator("#suggestions [role=option]")
    expect(options.first).to_contain_text("E1390", timeout=10_000)
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/codes/E1390.html")
    assert all(url.startswith(("file:", "data:")) for url in requests), [u for u in requests if "file:" not in u]
    page.close()
