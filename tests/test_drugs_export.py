"""Exports carry the drug data: the payment limit files and crosswalks of chosen quarters as CSV,
JSON Lines and Parquet; the SQLite export keeps every drug table."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import polars as pl
import pytest

from hcpcs.drugs.read import CROSSWALK_COLUMNS, PAYMENT_COLUMNS
from hcpcs.store import Store

from conftest import run_cli
from drugs_support import QUARTERS, store_with_drugs


@pytest.fixture(scope="module")
def db(tmp_path_factory, full_store):
    return store_with_drugs(tmp_path_factory.mktemp("drugs-export"), full_store)


def export(db, *args: str):
    return run_cli("--db", str(db), "export", *args)


def test_payment_limits_as_csv_jsonl_and_parquet(db, tmp_path):
    result = export(db, "--drugs", "payment-limits", "--format", "csv", "--quarter", "2026-01", "--out", "-")
    assert result.returncode == 0 and result.stderr.startswith("payment-limits of 2026-01: 844 rows written")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["quarter", *PAYMENT_COLUMNS] and len(rows) == 844
    j0696 = next(r for r in rows if r["code"] == "J0696")
    assert (j0696["payment_limit"], j0696["dosage"], j0696["vaccine_limit"]) == ("0.462", "250 MG", "")
    lines = export(db, "--drugs", "payment-limits", "--format", "jsonl", "--quarter", "2026-01").stdout.splitlines()
    with Store(db) as store:
        price = store.price("J0696", quarter="2026-01").to_dict()
    exported = next(json.loads(line) for line in lines if '"J0696"' in line)
    assert {k: exported[k] for k in price if k != "quarter"} == {k: v for k, v in price.items() if k != "quarter"}
    out = tmp_path / "limits.parquet"
    assert (
        export(db, "--drugs", "payment-limits", "--format", "parquet", "--all-releases", "--out", str(out)).returncode
        == 0
    )
    frame = pl.read_parquet(out)
    assert sorted(frame["quarter"].unique()) == QUARTERS and frame.schema["payment_limit"] == pl.Float64
    assert frame.filter(pl.col("code") == "J0696").sort("quarter")["payment_limit"].to_list() == [
        0.491, 0.454, 0.444, 0.446, 0.481, 0.43, 0.462]  # fmt: skip


def test_crosswalk_export(db, tmp_path):
    out = tmp_path / "crosswalk.parquet"
    assert export(db, "--drugs", "crosswalk", "--format", "parquet", "--out", str(out)).returncode == 0  # the newest
    frame = pl.read_parquet(out)
    assert frame.columns == ["quarter", *CROSSWALK_COLUMNS] and frame["quarter"].unique().to_list() == ["2026-01"]
    row = frame.filter(pl.col("ndc") == "00143-9857-25").row(0, named=True)
    assert (row["code"], row["billing_units_per_item"], row["billing_units_per_package"]) == ("J0696", 4.0, 100.0)
    assert frame.filter(pl.col("ndc").is_null()).height == 1  # a product number that is no NDC, kept as such


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drugs", "crosswalk", "--format", "site"], "drug tables are written as csv, jsonl, parquet, not site"),
        (["--drugs", "crosswalk", "--quarter", "2031-01"], "'2031-01' is not a stored drug quarter"),
        (["--drugs", "crosswalk", "--release", "2020-10"], "names an HCPCS release; with --drugs give --quarter"),
        (["--drugs", "crosswalk", "--format", "parquet"], "parquet needs a file to write"),
    ],
)  # fmt: skip
def test_bad_drug_exports_are_one_line(db, args, message):
    result = export(db, *args)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1


def test_the_sqlite_export_keeps_the_drug_tables(db, tmp_path):
    out = tmp_path / "one.sqlite"
    assert export(db, "--format", "sqlite", "--release", "2020-10", "--out", str(out)).returncode == 0
    with sqlite3.connect(out) as copy, sqlite3.connect(db) as source:
        for table in ("drug_files", "drug_sources", "drug_payment_limits", "drug_crosswalk", "drug_warnings"):
            query = f"SELECT * FROM {table} ORDER BY 1, 2, 3"
            assert copy.execute(query).fetchall() == source.execute(query).fetchall()
    price = run_cli("--db", str(out), "price", "J0696", "--quarter", "2026-01", "--format", "json")
    assert json.loads(price.stdout)["payment_limit"] == 0.462
