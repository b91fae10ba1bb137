"""The Spark engine in local mode agrees with the polars engine line for line."""

from __future__ import annotations

import polars as pl
import pytest

from hcpcs.claims import validate
from hcpcs.store import Store

from conftest import run_cli
from test_claims import LINES, frame

pytestmark = pytest.mark.spark  # needs PySpark and Java: see conftest.py


def test_spark_cli_equals_polars_line_for_line(tmp_path, full_store):
    source = tmp_path / "claims.csv"
    frame().write_csv(source)
    spark_out, polars_out = tmp_path / "spark.parquet", tmp_path / "polars.parquet"
    spark = run_cli("--db", str(full_store), "validate", str(source), "--engine", "spark", "--out", str(spark_out))
    assert spark.returncode == 1, spark.stderr[-2000:]
    assert run_cli("--db", str(full_store), "validate", str(source), "--out", str(polars_out)).returncode == 1
    assert spark_out.is_dir()  # Spark's own output: a directory of part files, in input order
    from_spark, from_polars = pl.read_parquet(spark_out / "*.parquet"), pl.read_parquet(polars_out)
    assert from_spark.columns == from_polars.columns
    assert from_spark.rows() == from_polars.rows()
    assert from_spark["issues"].to_list() == [row[5] for row in LINES]
    with Store(full_store) as store:
        assert validate(frame(), store)["issues"].to_list() == from_spark["issues"].to_list()
    again = run_cli("--db", str(full_store), "validate", str(source), "--engine", "spark", "--out", str(spark_out))
    assert again.returncode == 2 and "already exists" in again.stderr  # never writes over a directory
