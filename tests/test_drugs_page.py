"""The drug part of a code page in every face: JSON ("drug"), text, Markdown, standalone HTML and
the static site; and the payment-limit chart's geometry."""

from __future__ import annotations

import json
import re

import pytest

from hcpcs.drugs.section import CHART_HEIGHT, CHART_WIDTH, chart
from hcpcs.store import Store

from conftest import run_cli
from drugs_support import store_with_drugs


@pytest.fixture(scope="module")
def db(tmp_path_factory, full_store):
    return store_with_drugs(tmp_path_factory.mktemp("drugs-page"), full_store)


def show(db, *args: str) -> str:
    result = run_cli("--db", str(db), "show", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_json_page_has_a_drug_key(db):
    page = json.loads(show(db, "J0696", "--on", "2026-02-01", "--format", "json"))
    drug = page["drug"]
    assert list(drug) == ["code", "quarter", "covers_from", "covers_until", "message", "billing_unit",
                          "payment_limit", "history", "packages"]  # fmt: skip
    assert (drug["quarter"], drug["billing_unit"], drug["message"]) == ("2026-01", "250 MG", None)
    price = json.loads(run_cli("--db", str(db), "price", "J0696", "--quarter", "2026-01", "--format", "json").stdout)
    assert drug["payment_limit"] == price
    with Store(db) as store:
        assert [(h["quarter"], h["payment_limit"]) for h in drug["history"]] == [
            (q, limit) for q, _, limit in store.drugs.payment_history("J0696")
        ]
        assert len(drug["packages"]) == len(store.drugs.crosswalk_of_code("J0696", "2026-01")) > 50
    package = next(p for p in drug["packages"] if p["ndc"] == "00143-9857-25")
    assert (package["billing_units_per_item"], package["billing_units_per_package"]) == (4, 100)
    assert json.loads(show(db, "E0431", "--format", "json"))["drug"] is None
    assert json.loads(show(db, "LT", "--format", "json"))["drug"] is None


def test_the_quarter_in_effect_follows_the_date(db):
    earlier = json.loads(show(db, "J0696", "--on", "2024-02-01", "--format", "json"))["drug"]
    assert (earlier["quarter"], earlier["payment_limit"]["payment_limit"]) == ("2024-01", 0.491)
    gap = json.loads(show(db, "J0696", "--on", "2025-05-01", "--format", "json"))["drug"]
    assert gap["quarter"] is None and gap["payment_limit"] is None and gap["packages"] == []
    assert gap["message"] == "no stored drug quarter covers 2025-05-01 (nearest stored: 2025-01, 2025-07)"
    assert len(gap["history"]) == 7  # the history is every stored quarter, whatever the date


def test_text_and_markdown(db):
    text = show(db, "J0696", "--on", "2026-02-01")
    assert "Medicare Part B drug billing · ASP quarter 2026-01 (2026-01-01 to 2026-03-31)" in text
    assert re.search(r"Payment limit\s+\$0\.462 per 250 MG", text)
    assert "2024-01 $0.491 · 2024-04 $0.454" in text and "00143-9857-25" in text
    markdown = show(db, "J0696", "--on", "2026-02-01", "--format", "markdown")
    assert "## Medicare Part B drug billing · ASP quarter 2026-01 (2026-01-01 to 2026-03-31)" in markdown
    assert "| Payment limit | $0.462 per 250 MG |" in markdown
    assert "| 00143-9857-25 | Ceftriaxone | Hikma Pharmaceuticals USA Inc. | 25 × 1 | 4 | 100 |" in markdown
    assert "Medicare Part B" not in show(db, "E0431", "--format", "markdown")


def svg_circles(html: str) -> list[str]:
    return re.findall(r'<circle [^>]*data-quarter="(\d{4}-\d{2})"', html)


def test_standalone_html_and_the_static_site_carry_the_chart(db, tmp_path):
    html = show(db, "J0696", "--format", "html")
    assert svg_circles(html) == ["2024-01", "2024-04", "2024-10", "2025-01", "2025-07", "2025-10", "2026-01"]
    assert "<script" not in html.split('<section class="drug"')[1].split("</section>")[0]  # no JS, no CDN
    site = tmp_path / "site"
    result = run_cli("--db", str(db), "export", "--format", "site", "--release", "2020-10", "--out", str(site))
    assert result.returncode == 0, result.stderr
    page = (site / "codes" / "J0696.html").read_text(encoding="utf-8")
    assert len(svg_circles(page)) == 7 and "00143-9857-25" in page
    assert 'class="drug"' not in (site / "codes" / "E0431.html").read_text(encoding="utf-8")


def test_chart_geometry():
    history = [
        {"quarter": "2024-01", "payment_limit": 2.0},
        {"quarter": "2024-04", "payment_limit": 4.0},
        {"quarter": "2024-10", "payment_limit": None},  # no limit that quarter: no point
        {"quarter": "2025-04", "payment_limit": 3.0},
    ]
    drawn = chart(history)
    xs, ys = [p.x for p in drawn.points], [p.y for p in drawn.points]
    assert [p.quarter for p in drawn.points] == ["2024-01", "2024-04", "2025-04"]
    assert (xs[2] - xs[1]) == pytest.approx(4 * (xs[1] - xs[0]))  # by calendar time: 12 months against 3
    assert ys[1] < ys[2] < ys[0]  # higher limits higher up
    assert all(0 <= x <= CHART_WIDTH for x in xs) and all(0 <= y <= CHART_HEIGHT for y in ys)
    assert [label for _, label, _ in drawn.x_labels] == ["2024", "2025"]
    assert drawn.polyline == " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    single = chart([{"quarter": "2026-01", "payment_limit": 1.5}])
    assert len(single.points) == 1 and 0 < single.points[0].y < CHART_HEIGHT
    assert chart([{"quarter": "2026-01", "payment_limit": None}]) is None
