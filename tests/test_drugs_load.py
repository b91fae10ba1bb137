"""Loading CMS's Part B drug files: the real files, the bundled extracts, variants of a quarter
(another header year, the workbook form, other names, zips), provenance, replace rules, bad input."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sqlite3

import pytest

from hcpcs.drugs.bundled import extract_level_ii, write_bundle
from hcpcs.drugs.kinds import CROSSWALK, PAYMENT_LIMITS, decode_text, drug_file_kind
from hcpcs.drugs.read import read_drug_file
from hcpcs.store import SCHEMA_VERSION, Store

from conftest import BUNDLED_LABELS, ZIP_2020, make_zip, run_cli
from drugs_support import (
    ASP,
    DRUGS,
    ENTRIES,
    QUARTERS,
    drug_tables_dump,
    entry,
    extract,
    store_with_drugs,
    write_extract,
)

LEVEL_I = re.compile(r"\d{4}[0-9A-Z]")
needs_cms_files = pytest.mark.skipif(ASP is None, reason="CMS's own drug files (../shared/data/asp) are not here")


def rows_of(path, table: str) -> list[tuple]:
    with Store(path) as store:
        return store.connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()


def level_i_rows(data: bytes) -> int:
    """Level I rows of a CMS drug CSV, counted independently of the reader."""
    return sum(1 for row in csv.reader(io.StringIO(decode_text(data), newline="")) if row and LEVEL_I.fullmatch(row[0]))


@needs_cms_files
def test_every_cms_csv_loads_with_its_level_i_rows_left_out_and_counted(tmp_path):
    db = tmp_path / "store.sqlite"
    result = run_cli("--db", str(db), "load", "--format", "json", str(ASP))
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    files = sorted(ASP.glob("*.csv"))
    assert len(loaded) == len(files) == 14
    by_name = {name.rsplit("/", 1)[-1]: item for item in loaded for name in item["files"]}
    for path in files:
        data = path.read_bytes()
        item = by_name[path.name]
        assert item["status"] == "loaded"
        assert item["level_i_rows_left_out"] == level_i_rows(data) > 0
        assert item["kind"] == drug_file_kind(path.name, data)
    assert sorted({item["quarter"] for item in loaded}) == QUARTERS
    with Store(db) as store:
        assert store.price("J0696", quarter="2026-01").payment_limit == 0.462
        stored = store.connection.execute("SELECT code FROM drug_payment_limits UNION SELECT code FROM drug_crosswalk")
        assert not [code for (code,) in stored if LEVEL_I.fullmatch(code)]
        quarters = {q.quarter: q for q in store.drug_quarters()}
    sources = quarters["2026-01"].files[PAYMENT_LIMITS].sources
    assert [(f.rsplit("/", 1)[-1], sha) for f, sha in sources] == [
        ("section 508 version of January 2026 Medicare Part B Payment Limit File 121725.csv",
         "2374d6114fea3c8d02c6da7f153118d46ac2b9ebc64e608f9ce13b1b71c5817a")
    ]  # fmt: skip


@needs_cms_files
def test_the_bundled_extracts_are_cms_files_less_their_level_i_rows(tmp_path):
    written = write_bundle(sorted(ASP.glob("*.csv")), tmp_path)
    assert written["files"] == ENTRIES  # the manifest: each extract's sha256, its CMS file's name and sha256
    for item in ENTRIES:
        assert gzip.decompress((tmp_path / item["file"]).read_bytes()) == extract(item["quarter"], item["kind"])
        source = (ASP / item["source"]["file"]).read_bytes()
        original = read_drug_file(item["kind"], "f.csv", source)
        bundled = read_drug_file(item["kind"], "f.csv", extract(item["quarter"], item["kind"]))
        assert bundled.rows == original.rows and bundled.warnings == original.warnings  # lines keep their numbers
        assert bundled.level_i_rows == 0 and original.level_i_rows == item["level_i_rows_left_out"]


def test_nothing_shipped_holds_a_level_i_row():
    for item in ENTRIES:
        text = extract(item["quarter"], item["kind"]).decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert not [row for row in rows[9:] if row and LEVEL_I.fullmatch(row[0].strip())]
    if ASP is not None:  # no CPT short descriptor of CMS's files is anywhere in the package's drug files
        shipped = "".join(extract(i["quarter"], i["kind"]).decode("utf-8") for i in ENTRIES)
        descriptors = {
            row[1].strip()
            for path in ASP.glob("*.csv")
            for row in csv.reader(io.StringIO(decode_text(path.read_bytes()), newline=""))
            if row and LEVEL_I.fullmatch(row[0].strip())
        }
        assert len(descriptors) > 30
        assert not [d for d in descriptors if d in shipped]


def test_the_bundled_files_load_with_hcpcs_load_as_they_load_bundled(tmp_path, full_store):
    folder = tmp_path / "extracts"
    for item in ENTRIES:
        write_extract(folder, item["quarter"], item["kind"])
    db = tmp_path / "loaded.sqlite"
    result = run_cli("--db", str(db), "load", str(folder))
    assert result.returncode == 0, result.stderr
    bundled = store_with_drugs(tmp_path, full_store)
    for table in ("drug_payment_limits", "drug_crosswalk"):
        assert rows_of(db, table) == rows_of(bundled, table)
    with Store(bundled) as store:
        stored = store.connection.execute("SELECT quarter, kind, file, sha256 FROM drug_sources").fetchall()
        read_from = {row[0] for row in store.connection.execute("SELECT read_from FROM drug_files")}
    assert sorted(stored) == sorted(
        (e["quarter"], e["kind"], e["source"]["file"], e["source"]["sha256"]) for e in ENTRIES
    )
    assert read_from == {f"hcpcs package: releases/drugs/{e['file']}" for e in ENTRIES}


def another_quarter(kind: str) -> bytes:
    """The 2026-01 file made into April 2031's: the header year and the Effective line changed."""
    text = extract("2026-01", kind).decode("utf-8")
    text = text.replace("_2026_CODE", "_2031_CODE").replace("January 2026", "April 2031")
    text = text.replace(
        "Effective January 1, 2026 through March 31, 2026", "Effective April 1, 2031 through June 30, 2031"
    )
    return text.encode("cp1252")  # CMS's own encoding


def test_another_quarter_with_another_header_year_and_any_name_loads_unchanged(tmp_path):
    folder = tmp_path / "cms"
    payment = write_extract(folder, "2026-01", PAYMENT_LIMITS,
                            "section 508 version of April 2031 Medicare Part B Payment Limit File 031231.csv",
                            another_quarter(PAYMENT_LIMITS))  # fmt: skip
    crosswalk = write_extract(folder, "2026-01", CROSSWALK, "download (3).csv", another_quarter(CROSSWALK))
    db = tmp_path / "store.sqlite"
    first = run_cli("--db", str(db), "load", str(payment))  # a quarter's two files may come separately
    assert first.returncode == 0, first.stderr
    second = run_cli("--db", str(db), "load", "--format", "json", str(crosswalk))
    assert [(r["quarter"], r["kind"], r["status"]) for r in json.loads(second.stdout)] == [
        ("2031-04", CROSSWALK, "loaded")
    ]
    reference = read_drug_file(CROSSWALK, "x", extract("2026-01", CROSSWALK))
    with Store(db) as store:
        (quarter,) = store.drug_quarters()
        assert (quarter.quarter, quarter.effective_from, quarter.effective_until) == (
            "2031-04",
            "2031-04-01",
            "2031-06-30",
        )
        assert set(quarter.files) == {PAYMENT_LIMITS, CROSSWALK}
        assert store.price("J0696", quarter="2031-04").payment_limit == 0.462
        assert len(store.drugs.crosswalk_of_code("J0696", "2031-04")) == sum(r[0] == "J0696" for r in reference.rows)


def workbook(data: bytes) -> bytes:
    """The CSV as CMS's workbook form: the same rows in the first sheet, amounts as numbers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    rows = list(csv.reader(io.StringIO(decode_text(data), newline="")))
    amounts = range(3, 9) if drug_file_kind("x", data) == PAYMENT_LIMITS else range(6, 10)
    for number, row in enumerate(rows):
        is_amount = [
            number > 8 and place in amounts and re.fullmatch(r"\d+(\.\d+)?", cell) for place, cell in enumerate(row)
        ]
        sheet.append([float(cell) if amount else cell for cell, amount in zip(row, is_amount, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_workbook_form_reads_as_its_csv(tmp_path):
    for kind in (PAYMENT_LIMITS, CROSSWALK):
        data = extract("2025-10", kind)
        book = workbook(data)
        assert drug_file_kind("x.xlsx", book) == kind
        from_book, from_csv = read_drug_file(kind, "x.xlsx", book), read_drug_file(kind, "x.csv", data)
        assert (from_book.quarter, from_book.rows) == (from_csv.quarter, from_csv.rows)
        assert len(from_book.rows) > 900
    path = tmp_path / "October 2025 ASP Pricing File 091725.xlsx"  # given directly, not in a zip
    path.write_bytes(workbook(extract("2025-10", PAYMENT_LIMITS)))
    result = run_cli("--db", str(tmp_path / "s.sqlite"), "load", "--format", "json", str(path))
    assert result.returncode == 0, result.stderr
    assert [(r["quarter"], r["kind"], r["rows"]) for r in json.loads(result.stdout)] == [
        ("2025-10", PAYMENT_LIMITS, 978)
    ]


def test_a_cms_zip_with_the_workbook_and_its_csv_stores_the_file_once_with_both_sources(tmp_path):
    data = extract("2025-07", PAYMENT_LIMITS)
    archive = make_zip(tmp_path / "July 2025 ASP Pricing Files.zip", {
        "July 2025 ASP Pricing File 062325.xlsx": workbook(data),
        "section 508 version of July 2025 ASP Pricing File 062325.csv": data,
        "Pricing File Disclaimer.txt": b"The payment limits are based on ...\r\n",
    })  # fmt: skip
    db = tmp_path / "store.sqlite"
    result = run_cli("--db", str(db), "load", "--format", "json", str(archive))
    assert result.returncode == 0, result.stderr
    (loaded,) = json.loads(result.stdout)
    assert (loaded["quarter"], loaded["kind"], loaded["rows"]) == ("2025-07", PAYMENT_LIMITS, 936)
    assert sorted(name.rsplit("/", 1)[-1] for name in loaded["files"]) == [
        "July 2025 ASP Pricing File 062325.xlsx",
        "section 508 version of July 2025 ASP Pricing File 062325.csv",
    ]
    again = run_cli("--db", str(db), "load", "--format", "json", str(tmp_path / "July 2025 ASP Pricing Files.zip"))
    assert json.loads(again.stdout)[0]["status"] == "unchanged"


def test_level_i_rows_are_left_out_and_counted(tmp_path):
    text = extract("2026-01", PAYMENT_LIMITS).decode("utf-8")
    header_end = text.index("\r\n", text.index("HCPCS Code,")) + 2
    fake = "".join(f"{code},Level I row,1 ML,1.000,20.000,,,,,,,\r\n" for code in ("90999", "0001U", "1234T"))
    path = write_extract(
        tmp_path, "2026-01", PAYMENT_LIMITS, "p.csv", (text[:header_end] + fake + text[header_end:]).encode()
    )
    result = run_cli("--db", str(tmp_path / "s.sqlite"), "load", "--format", "json", str(path))
    assert json.loads(result.stdout)[0]["level_i_rows_left_out"] == 3
    table = run_cli("--db", str(tmp_path / "t.sqlite"), "load", str(path))
    assert "Level I rows left out" in table.stdout and "│ 3 " in table.stdout
    with Store(tmp_path / "s.sqlite") as store:
        assert not store.connection.execute(
            "SELECT 1 FROM drug_payment_limits WHERE short_description LIKE 'Level I%'"
        ).fetchall()


def test_drug_files_load_beside_hcpcs_release_files_in_one_command(tmp_path):
    folder = tmp_path / "asp"
    write_extract(folder, "2026-01", PAYMENT_LIMITS)
    (folder / "README.md").write_text("`HCPCS Code, Short Description, HCPCS Code Dosage, Payment Limit`\n")
    db = tmp_path / "store.sqlite"
    result = run_cli("--db", str(db), "load", "--format", "json", str(ZIP_2020), str(folder))
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert [r.get("release") or r["quarter"] for r in loaded] == ["2020-01", "2026-01"]
    listed = json.loads(run_cli("--db", str(db), "releases", "--format", "json").stdout)
    assert [r["release"] for r in listed["releases"]] == ["2020-01"]
    assert [(q["quarter"], q["crosswalk"], q["payment_limits"]["rows"]) for q in listed["drug_quarters"]] == [
        ("2026-01", None, 844)
    ]
    table = run_cli("--db", str(db), "releases").stdout
    assert "Drug quarters" in table and "Medicare Part B Payment Limit File" in table


BAD = [
    (PAYMENT_LIMITS, "J0696,Ceftriaxone sodium injection,250 MG,0.462,",
     "J0696,Ceftriaxone sodium injection,250 MG,abc,", "payment_limit: 'abc' is not a number"),
    (CROSSWALK, "00143-9857-25,Ceftriaxone,250 MG,1,25,4,100", "00143-9857-25,Ceftriaxone,250 MG,1,25,four,100",
     "billing_units_per_item: 'four' is not a number"),
    (PAYMENT_LIMITS, "J0696,Ceftriaxone", "J06,Ceftriaxone", "code: 'J06' is not a HCPCS code"),
    (PAYMENT_LIMITS, "J0697,", "J0696,", "J0696 appears twice (first at "),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "good", "bad", "problem"), BAD)
def test_damage_is_one_line_naming_file_and_line_and_stores_nothing(tmp_path, full_store, kind, good, bad, problem):
    db = store_with_drugs(tmp_path, full_store)
    before = drug_tables_dump(db)
    text = extract("2026-01", kind).decode("utf-8")
    assert good in text
    damaged = text.replace(good, bad, 1).encode("utf-8")
    path = write_extract(tmp_path / "in", "2026-01", kind, "damaged.csv", damaged)
    result = run_cli("--db", str(db), "load", "--replace", str(ZIP_2020), str(path))
    assert result.returncode == 2
    line = text[: text.index(good)].count("\n") + 1  # the changed row's line
    # Each release of a load has its own outcome: the drug files are refused, the HCPCS release beside
    # them is judged on its own (here: already stored from the same file, so unchanged).
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: drug files refused: damaged.csv:{line}: {problem}"] or errors[0].startswith(
        f"error: drug files refused: damaged.csv:{line}: {problem}"
    )
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert drug_tables_dump(db) == before
    with Store(db) as store, Store(full_store) as unchanged:  # the HCPCS release given with it is unchanged
        assert [r.loaded_at for r in store.releases()] == [r.loaded_at for r in unchanged.releases()]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("Effective January 1, 2026 through March 31, 2026", "January 2026", "cannot tell the quarter"),
        ("Effective January 1", "Effective February 1", "2026-02-01 is not the first day of a calendar quarter"),
        ("PKG SIZE", "PACKAGE", "header column 7 is 'PACKAGE', expected PKGSIZE"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_say_its_quarter_or_layout_is_refused(tmp_path, old, new, problem):
    text = extract("2026-01", CROSSWALK).decode("utf-8").replace(old, new, 1)
    path = write_extract(tmp_path, "2026-01", CROSSWALK, "x.csv", text.encode())
    result = run_cli("--db", str(tmp_path / "s.sqlite"), "load", str(path))
    assert result.returncode == 2 and problem in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_replace_rules_follow_hcpcs_releases(tmp_path):
    db = tmp_path / "store.sqlite"
    original = write_extract(tmp_path / "a", "2026-01", PAYMENT_LIMITS)
    assert run_cli("--db", str(db), "load", str(original)).returncode == 0
    same = run_cli("--db", str(db), "load", "--format", "json", str(original))
    assert json.loads(same.stdout)[0]["status"] == "unchanged"
    text = extract("2026-01", PAYMENT_LIMITS).decode("utf-8").replace("250 MG,0.462,", "250 MG,0.470,")
    revised = write_extract(tmp_path / "b", "2026-01", PAYMENT_LIMITS, "revised.csv", text.encode())
    refused = run_cli("--db", str(db), "load", str(revised))
    assert refused.returncode == 2
    assert (
        "payment limit file of drug quarter 2026-01 is already stored from other files; use --replace" in refused.stderr
    )
    replaced = run_cli("--db", str(db), "load", "--replace", "--format", "json", str(revised))
    assert json.loads(replaced.stdout)[0]["status"] == "replaced"
    with Store(db) as store:
        assert store.price("J0696", quarter="2026-01").payment_limit == 0.470
        assert [f for f, _ in store.drug_quarters()[0].files[PAYMENT_LIMITS].sources] == ["revised.csv"]


def test_two_different_files_for_one_quarter_in_one_load_are_refused(tmp_path):
    one = write_extract(tmp_path, "2026-01", PAYMENT_LIMITS, "one.csv")
    text = extract("2026-01", PAYMENT_LIMITS).decode("utf-8").replace("250 MG,0.462,", "250 MG,0.470,")
    two = write_extract(tmp_path, "2026-01", PAYMENT_LIMITS, "two.csv", text.encode())
    result = run_cli("--db", str(tmp_path / "s.sqlite"), "load", str(one), str(two))
    assert (
        result.returncode == 2
        and "several different files hold the payment limit file of drug quarter 2026-01" in result.stderr
    )


def test_a_schema_4_store_is_upgraded_in_place_keeping_its_releases(tmp_path, full_store):
    fresh = store_with_drugs(tmp_path, full_store)
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(full_store) as source, sqlite3.connect(old) as copy:
        source.backup(copy)
    with sqlite3.connect(old) as connection:
        for table in ("drug_warnings", "drug_crosswalk", "drug_payment_limits", "drug_sources", "drug_files"):
            connection.execute(f"DROP TABLE {table}")
        connection.execute("PRAGMA user_version = 4")
    with Store(old) as store:
        assert [r.release for r in store.releases()] == BUNDLED_LABELS
        assert store.drug_quarters() == []
    schema = "SELECT name, sql FROM sqlite_master WHERE name LIKE 'drug%' ORDER BY name"
    with sqlite3.connect(old) as upgraded, sqlite3.connect(fresh) as created:
        assert upgraded.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (5,)
        assert upgraded.execute(schema).fetchall() == created.execute(schema).fetchall()


def test_the_default_store_holds_the_bundled_quarters(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HCPCS_DB": ""}
    listed = json.loads(run_cli("releases", "--format", "json", env=env).stdout)
    quarters = listed["drug_quarters"]
    assert (
        [q["quarter"] for q in quarters]
        == QUARTERS
        == ["2024-01", "2024-04", "2024-10", "2025-01", "2025-07", "2025-10", "2026-01"]
    )
    for quarter in quarters:
        for kind in (PAYMENT_LIMITS, CROSSWALK):
            item = entry(quarter["quarter"], kind)
            assert quarter[kind]["sources"] == [{"file": item["source"]["file"], "sha256": item["source"]["sha256"]}]
            assert quarter[kind]["level_i_rows_left_out"] == item["level_i_rows_left_out"]
    assert run_cli("price", "J0696", "--quarter", "2024-04", "--format", "json", env=env).stdout.count("0.454") == 1


def test_extract_keeps_every_line_number():
    data = (DRUGS / entry("2024-04", CROSSWALK)["file"]).read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    assert text.count("\r\n") > 6700
    assert extract_level_ii("x.csv", text.encode()) == text.encode()  # an extract is its own extract
