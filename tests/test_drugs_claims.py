"""The drug rules of claim lines: NDC against the crosswalk of the line's quarter, billing unit,
payment limit and allowed amount; the polars engine, then Spark local mode line for line."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest

from hcpcs.claims import validate
from hcpcs.errors import InputError
from hcpcs.store import Store

from conftest import run_cli
from drugs_support import store_with_drugs

# (code, date of service, ndc, units) -> issues, the drug quarter whose price applies (None: no quarter)
LINES = [
    ("J0696", "2026-02-01", "00143-9857-25", "4", "", "2026-01"),  # the crosswalk's own form
    ("J0696", "2026-02-01", "00143985725", "2.5", "", "2026-01"),  # 11 digits, no dashes
    ("j0696", "2024-02-01", " 0143-9857-25 ", "3", "", "2024-01"),  # 4-4-2, spaces, lower case code
    ("J0697", "2026-02-01", "00143-9857-25", "1", "ndc_code_mismatch", "2026-01"),  # the NDC bills as J0696
    ("J0696", "2026-02-01", "99999-9999-99", "1", "unknown_ndc", "2026-01"),
    ("J0881", "2024-02-01", "55513-0002-04", "2", "", "2024-01"),  # one package, two codes: both fine
    ("J0882", "2024-02-01", "55513-0002-04", "2", "", "2024-01"),
    ("J0696", "2025-05-01", "99999-9999-99", "1", "", None),  # no stored quarter covers the date
    ("J0696", "2031-02-01", "00143-9857-25", "1", "beyond_latest_release", "2026-01"),  # past the newest: it answers
    ("J0696", "2026-02-01", "", "x", "", "2026-01"),  # no NDC; units not a number
    ("90371", "2026-02-01", "13533-0636-01", "1", "level_i_not_checked", None),  # Level I: not checked
    ("J06#6", "2026-02-01", "00143-9857-25", "1", "malformed_code", None),
    ("E0431", "2020-05-01", "", "", "", None),  # not a drug code
    ("J7192", "2026-02-01", "", "1000", "noc_requires_description", "2026-01"),  # clotting factor, per IU
]


def claim_frame(with_ndc: bool = True, with_units: bool = True) -> pl.DataFrame:
    rows = [
        {"claim_id": "1", "line": str(i), "code": code, "modifiers": "", "date_of_service": dos, "ndc": ndc,
         "units": units}
        for i, (code, dos, ndc, units, _, _) in enumerate(LINES, start=1)
    ]  # fmt: skip
    frame = pl.DataFrame(rows)
    return frame.drop([name for name, keep in (("ndc", with_ndc), ("units", with_units)) if not keep])


@pytest.fixture(scope="module")
def db(tmp_path_factory, full_store):
    return store_with_drugs(tmp_path_factory.mktemp("drugs-claims"), full_store)


@pytest.fixture(scope="module")
def store(db):
    with Store(db) as opened:
        yield opened


def expected_allowed(units: str, limit: float | None) -> float | None:
    try:
        amount = Decimal(units) * Decimal(str(limit))
    except (ArithmeticError, TypeError, ValueError):
        return None
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_the_drug_rules_and_columns(store):
    checked = validate(claim_frame(), store)
    assert checked.columns[-3:] == ["billing_unit", "payment_limit", "allowed_amount"]
    for row, (code, _, _, units, issues, quarter) in zip(checked.iter_rows(named=True), LINES, strict=True):
        assert row["issues"] == issues, row
        if quarter is None:
            assert (row["billing_unit"], row["payment_limit"], row["allowed_amount"]) == (None, None, None), row
            continue
        price = store.price(code, quarter=quarter)
        assert (row["billing_unit"], row["payment_limit"]) == (price.dosage, price.payment_limit), row
        assert row["allowed_amount"] == expected_allowed(units, price.payment_limit), row
    assert checked.row(3, named=True)["status"] == "error" and checked.row(4, named=True)["status"] == "warning"
    assert checked.row(1, named=True)["allowed_amount"] == 1.16  # 2.5 x 0.462 = 1.155: half up


def test_without_ndc_or_units_columns(store):
    checked = validate(claim_frame(with_ndc=False, with_units=False), store)
    assert "allowed_amount" not in checked.columns and "ndc_code_mismatch" not in "".join(checked["issues"])
    assert checked["payment_limit"].to_list() == validate(claim_frame(), store)["payment_limit"].to_list()
    line = store.check_line("J0697", "2026-02-01", ndc="0143-9857-25", units=2)
    assert (line["issues"], line["billing_unit"], line["allowed_amount"]) == ("ndc_code_mismatch", "750 MG", 4.11)


def test_an_input_column_the_output_would_overwrite_is_refused(store):
    with pytest.raises(InputError, match="payment_limit would be overwritten"):
        validate(claim_frame().with_columns(pl.lit("1").alias("payment_limit")), store)


def test_spark_equals_polars_line_for_line(tmp_path, db):
    pytest.importorskip("pyspark")
    source = tmp_path / "claims.csv"
    claim_frame().write_csv(source)
    spark_out, polars_out = tmp_path / "spark.parquet", tmp_path / "polars.parquet"
    spark = run_cli("--db", str(db), "validate", str(source), "--engine", "spark", "--out", str(spark_out))
    assert spark.returncode == 1, spark.stderr[-2000:]  # one line has an error
    assert run_cli("--db", str(db), "validate", str(source), "--out", str(polars_out)).returncode == 1
    from_spark, from_polars = pl.read_parquet(spark_out / "*.parquet"), pl.read_parquet(polars_out)
    assert from_spark.columns == from_polars.columns
    assert from_spark.schema == from_polars.schema
    assert from_spark.rows() == from_polars.rows()
    assert from_spark["issues"].to_list() == [line[4] for line in LINES]
    jsonl = run_cli("--db", str(db), "validate", str(source), "--format", "jsonl")
    assert json.loads(jsonl.stdout.splitlines()[0])["allowed_amount"] == 1.85
