"""Every page kind in real headless Chromium at phone and desktop widths (no sideways scroll,
tables stacked on the phone, a screenshot of each), the search box as a keyboard combobox,
/docs and /redoc with every request kept on the machine, and axe-core's accessibility check.

Screenshots go to $HCPCS_SCREENSHOTS when set (docs/screenshots is made from them), else to a
temporary folder."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PAGE_KINDS = {
    "home": ("/", 200),
    "search": ("/search?q=o2+tank", 200),
    "code": ("/codes/S9329", 200),
    "modifier": ("/codes/LT", 200),
    "terminated": ("/codes/A4466", 200),
    "history": ("/codes/C9034/history", 200),
    "releases": ("/releases", 200),
    "diff": ("/diff/2019-01/2020-01", 200),
    "category": ("/categories/E0000-E9999", 200),
    "definitions": ("/definitions", 200),
    "error-404": ("/codes/S9371", 404),
    "error-400": ("/codes/S9329?on=2020-02-30", 400),
}
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
LOCAL = ("127.0.0.1", "localhost", "::1")


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("HCPCS_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def local_only(page) -> list[str]:
    """Abort and record every request that would leave the machine."""
    left: list[str] = []

    def check(route) -> None:
        url = route.request.url
        if url.startswith(("http:", "https:", "ws:", "wss:")) and urlsplit(url).hostname not in LOCAL:
            left.append(url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", check)
    return left


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_fits_the_screen(server, browser, screenshots, kind, size):
    width, height = SIZES[size]
    path, status = PAGE_KINDS[kind]
    page = browser.new_page(viewport={"width": width, "height": height})
    left = local_only(page)
    response = page.goto(server + path)
    assert response.status == status and response.headers["content-type"].startswith("text/html")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    button = page.locator("form.search button").bounding_box()
    assert button["x"] >= 0 and button["x"] + button["width"] <= width, "the search button is off-screen"
    assert page.locator("h1").first.is_visible()
    rows = page.locator("main table tbody tr")
    if rows.count():
        display = rows.first.evaluate("row => getComputedStyle(row).display")
        assert (display != "table-row") == (size == "phone"), display
    page.screenshot(path=str(screenshots / f"{kind}-{width}.png"))
    assert left == []
    page.close()


def test_search_box_is_a_keyboard_combobox(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(server + "/")
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-controls") == "suggestions"
    assert page.locator("#suggestions").get_attribute("role") == "listbox"
    box.press_sequentially("oxygen conc", delay=20)
    options = page.locator("#suggestions [role=option]")
    expect(options.first).to_contain_text("E1390", timeout=10_000)  # the answer to the last keystroke
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "suggestion-0"
    assert options.nth(0).get_attribute("aria-selected") == "true"
    box.press("ArrowDown")
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == "suggestion-0"
    box.press("Escape")
    assert page.locator("#suggestions").is_hidden() and box.get_attribute("aria-expanded") == "false"
    box.fill("")
    box.press_sequentially("cpap m", delay=20)  # the last word is one letter so far
    page.wait_for_selector("#suggestions [role=option]", timeout=10_000)
    page.wait_for_timeout(500)  # let the answer to the last keystroke arrive
    box.press("ArrowDown")
    first = options.nth(0).inner_text().split()[0]
    box.press("Enter")
    page.wait_for_url(f"**/codes/{first}")
    page.close()


def test_api_docs_render_offline(server, browser, client):
    page = browser.new_page()
    left = local_only(page)
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    operations = sum(len(item) for item in client.get("/openapi.json").json()["paths"].values())
    assert page.locator(".opblock").count() == operations
    assert page.get_by_text("Ranked search").count() >= 1
    assert left == [], f"requests left the machine: {left}"
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation(server, browser, scheme):
    """axe-core (shipped in the axe-playwright-python package) on every page kind: 0 serious or critical."""
    axe = pytest.importorskip("axe_playwright_python")
    script = Path(axe.__file__).parent / "axe.min.js"
    page = browser.new_page(color_scheme=scheme)
    left = local_only(page)
    found = {}
    for kind, (path, _) in PAGE_KINDS.items():
        page.goto(server + path)
        page.add_script_tag(path=str(script))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            found[kind] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in serious]
        assert result["passes"], "axe ran no check"
    assert found == {}
    assert left == []
    page.close()
