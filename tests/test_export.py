"""Exports of the bundled releases: each format read back by its own ecosystem's tools and
compared with the store's canonical records; the static site in a real browser."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys

import pytest

from hcpcs.model import DATE_FIELDS, FIELD_NAMES, LIST_FIELDS, CodeRecord
from hcpcs.store import SCHEMA_VERSION, Store

from conftest import cells, run_cli
from test_page import MODEL_DEFINITIONS, MODEL_S9329

LATEST = "2020-10"


@pytest.fixture(scope="module")
def store(full_store):
    with Store(full_store) as opened:
        yield opened


def export(full_store, *args: str) -> subprocess.CompletedProcess:
    result = run_cli("--db", str(full_store), "export", *args)
    assert result.returncode == 0, result.stderr
    return result


def from_csv_row(row: dict[str, str]) -> CodeRecord:
    """A canonical record from a CSV export row (lists split on `;`, empty as none)."""
    values: dict[str, object] = {}
    for name in FIELD_NAMES:
        text = row[name]
        if name in LIST_FIELDS:
            values[name] = text.split(";") if text else []
        elif name == "anesthesia_base_units":
            values[name] = int(text) if text else None
        else:
            values[name] = text or None
    return CodeRecord.from_dict(values)


def record_from_concept(concept: dict, release: str) -> CodeRecord:
    """The canonical record a CodeSystem concept holds (a list field repeats its property)."""
    values: dict[str, object] = {"code": concept["code"], "release": release, "short_description": concept["display"]}
    values["long_description"] = concept.get("designation", [{}])[0].get("value")
    for prop in concept["property"]:
        name = prop["code"]
        if name not in FIELD_NAMES:
            continue
        value = next(v for k, v in prop.items() if k.startswith("value"))
        value = value["code"] if isinstance(value, dict) else value
        if name in LIST_FIELDS:
            values.setdefault(name, []).append(value)
        else:
            values[name] = value
    return CodeRecord.from_dict(values)


def test_csv_round_trips_with_meanings_beside_their_fields(full_store, store, tmp_path):
    out = tmp_path / "codes.csv"
    export(full_store, "--format", "csv", "--release", LATEST, "--out", str(out), "--with-meanings")
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [from_csv_row(row) for row in rows] == list(store.records(LATEST))
    header = list(rows[0])
    assert header[header.index("coverage") + 1] == "coverage_meaning"
    s9329 = next(row for row in rows if row["code"] == "S9329")
    assert s9329["coverage_meaning"] == "Not payable by Medicare"
    assert s9329["betos_meaning"] == "Undefined codes"
    assert s9329["processing_note_meaning"].startswith('"S" CODES ARE UNIQUE TEMPORARY CODES')
    several = next(row for row in rows if ";" in row["pricing_indicators"])
    assert len(several["pricing_indicators_meaning"].split(";")) == len(several["pricing_indicators"].split(";"))


def test_csv_to_stdout_without_meanings_has_the_canonical_columns(full_store):
    result = export(full_store, "--format", "csv", "--release", "2019-01")
    header = next(csv.reader([result.stdout.splitlines()[0]]))
    assert tuple(header) == FIELD_NAMES


def test_parquet_of_every_release_is_typed_and_round_trips(full_store, store, tmp_path):
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "codes.parquet"
    export(full_store, "--format", "parquet", "--all-releases", "--out", str(out))
    table = pq.read_table(out)
    schema = {field.name: field.type for field in table.schema}
    assert all(schema[name] == pa.date32() for name in DATE_FIELDS)
    assert all(pa.types.is_list(schema[name]) or pa.types.is_large_list(schema[name]) for name in LIST_FIELDS)
    assert pa.types.is_integer(schema["anesthesia_base_units"])
    rows = table.to_pylist()
    for row in rows:
        for name in DATE_FIELDS:
            row[name] = row[name].isoformat() if isinstance(row[name], dt.date) else row[name]
    assert [CodeRecord.from_dict(row) for row in rows] == [
        record for label in store.release_labels() for record in store.records(label)
    ]
    assert sorted({row["release"] for row in rows}) == store.release_labels()


def test_sqlite_is_a_standalone_store_of_the_chosen_release(full_store, store, tmp_path):
    out = tmp_path / "hcpcs-2020-10.sqlite"
    export(full_store, "--format", "sqlite", "--release", LATEST, "--out", str(out))
    connection = sqlite3.connect(out)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert connection.execute("SELECT DISTINCT release FROM codes").fetchall() == [(LATEST,)]
    assert connection.execute("SELECT label FROM releases").fetchall() == [(LATEST,)]
    assert connection.execute("SELECT count(*) FROM sources WHERE release != ?", (LATEST,)).fetchone() == (0,)
    connection.close()
    with Store(out) as exported:
        assert list(exported.records(LATEST)) == list(store.records(LATEST))
        assert exported.search("oxygen concentrator", limit=1).results[0].code == "E1390"
    shown = run_cli("--db", str(out), "show", "S9329", "--format", "json")
    assert json.loads(shown.stdout)["coverage"] == "I"


def test_fhir_bundle_validates_and_holds_every_code_with_its_properties(full_store, store, tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    out = tmp_path / "hcpcs-fhir.json"
    export(full_store, "--format", "fhir", "--release", LATEST, "--out", str(out))
    body = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(body) if hasattr(Bundle, "model_validate") else Bundle.parse_obj(body)
    code_system, concept_map = (entry["resource"] for entry in body["entry"])
    assert [entry["request"] for entry in body["entry"]] == [
        {"method": "PUT", "url": f"CodeSystem/hcpcs-{LATEST}"},
        {"method": "PUT", "url": f"ConceptMap/hcpcs-replacements-{LATEST}"},
    ]
    assert (code_system["url"], code_system["version"], code_system["content"]) == (
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", LATEST, "complete"
    )  # fmt: skip
    records = list(store.records(LATEST))
    assert code_system["count"] == len(code_system["concept"]) == len(records)
    exported = [(c["code"], c["display"], c.get("designation", [{}])[0].get("value")) for c in code_system["concept"]]
    expected = [(r.code, r.short_description or r.long_description or "", r.long_description) for r in records]
    assert sorted(exported) == sorted(expected)
    defined = {definition["code"] for definition in code_system["property"]}
    assert {"coverage", "betos", "pricing_indicators", "added_date", "status", "action_code"} <= defined
    assert all(p["code"] in defined for c in code_system["concept"] for p in c["property"])
    s9329 = {p["code"]: p for p in next(c for c in code_system["concept"] if c["code"] == "S9329")["property"]}
    assert s9329["coverage"]["valueCoding"] == {"code": "I", "display": "Not payable by Medicare"}
    assert s9329["added_date"]["valueDateTime"] == "2002-01-01"
    assert s9329["status"]["valueString"] == "Actual"
    by_code = {record.code: record for record in records}
    assert all(record_from_concept(c, LATEST) == by_code[c["code"]] for c in code_system["concept"])
    elements = {e["code"]: e for e in concept_map["group"][0]["element"]}
    assert [t["code"] for t in elements["A4466"]["target"]] == ["A4467"]
    assert set(elements) == {r.code for r in records if r.termination_date}


def test_site_s9329_page_shows_the_model_page_facts(site):
    html = (site / "codes" / "S9329.html").read_text(encoding="utf-8")
    rows = {row[0]: row for row in cells(html)}
    definitions = (site / "definitions.html").read_text(encoding="utf-8")
    for label, value, meaning in MODEL_S9329:
        if label in ("HCPCS Code", "Short Description"):  # the page's head shows them
            assert f">{value}<" in html
            continue
        assert rows[label][1] == str(value)
        if meaning:
            assert rows[label][2] == meaning
    for label, definition in MODEL_DEFINITIONS.items():
        assert definition.replace("'", "&#39;") in definitions, label
        assert definition not in html, f"{label}: definitions are linked, not repeated"
    assert 'href="../definitions.html#coverage">Coverage Code</a>' in html
    assert "Actual: in force since January 1, 2002" in html
    assert rows["Processing Note Number"][2].startswith('"S" CODES ARE UNIQUE TEMPORARY CODES')


def test_site_has_a_page_per_code_and_indexes(site, store):
    codes = store.codes(LATEST)
    assert sorted(path.stem for path in (site / "codes").glob("*.html")) == sorted(codes)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="letters/S.html"' in index and 'href="categories/S0000-S9999.html"' in index
    letter = (site / "letters" / "S.html").read_text(encoding="utf-8")
    assert 'href="../codes/S9329.html"' in letter
    assert (site / "letters" / "modifiers.html").is_file()
    search_index = (site / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(search_index.removeprefix("window.HCPCS_INDEX = ").rstrip().removesuffix(";"))
    assert [entry[0] for entry in entries["rows"]] == codes


def test_site_terminated_page_links_its_replacement(site):
    html = (site / "codes" / "A4466.html").read_text(encoding="utf-8")
    assert 'href="../codes/A4467.html"' in html
    assert "Terminated" in html


def test_site_works_from_disk_and_from_a_static_server(site, browser):
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    page.fill("#q", "oxygen concentr")
    page.wait_for_selector("#suggestions [role=option]", timeout=10_000)
    page.locator("#suggestions [role=option]", has_text="E1390").first.click()
    page.wait_for_url("**/codes/E1390.html")
    assert page.locator("h1").inner_text().startswith("E1390")
    page.locator("a", has_text="Durable medical equipment").first.click()
    page.wait_for_url("**/categories/*.html")
    assert page.locator("table.results a", has_text="E1390").count() == 1
    page.goto((site / "search.html").as_uri() + "?q=S9325-S9379")
    assert page.locator("#results a", has_text="S9329").count() == 1
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        port = process.stdout.readline().split(" port ")[1].split()[0]
        page.goto(f"http://127.0.0.1:{port}/search.html?q=chemotherapy+infusion")
        page.locator("#results a", has_text="S9329").click()
        page.wait_for_url("**/codes/S9329.html")
        coverage = page.locator("table.fields tr", has=page.locator("th", has_text="Coverage Code"))
        assert coverage.locator("td").nth(1).inner_text() == "Not payable by Medicare"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "site", "--all-releases", "--out", "x"], "a site shows one release"),
        (["--format", "parquet", "--out", "-"], "parquet needs a file"),
        (["--format", "csv", "--release", "2020-10", "--all-releases"], "not both"),
        (["--format", "csv", "--release", "2031-01"], "2031-01"),
        (["--format", "sqlite", "--out", "x.sqlite", "--with-meanings"], "is for csv, jsonl and parquet"),
    ],
)
def test_bad_export_requests(full_store, args, message):
    result = run_cli("--db", str(full_store), "export", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_site_refuses_a_directory_that_holds_something_else(full_store, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("--db", str(full_store), "export", "--format", "site", "--out", str(tmp_path))
    assert result.returncode == 2 and "holds no site" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]
