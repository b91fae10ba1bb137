"""The drug rules of claim lines, for both engines: each line's drug quarter (the stored quarter
covering its date of service; the newest for dates past it), the NDC check against that quarter's
crosswalk, and the enrichment columns.

- `ndc_code_mismatch` (error): the crosswalk maps the line's NDC to other codes, not the line's.
- `unknown_ndc` (warning): the crosswalk does not list the line's NDC.
  (Neither for Level I or malformed codes, nor when no stored quarter covers the date.)
- `billing_unit`, `payment_limit` of the line's code in the quarter; with a `units` column,
  `allowed_amount` = units x payment limit, rounded half up to the cent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hcpcs.drugs.ndc import typed_forms

if TYPE_CHECKING:
    import polars as pl

    from hcpcs.drugs.storage import DrugTables

NDC_COLUMN, UNITS_COLUMN = "ndc", "units"
OUTPUT = ("billing_unit", "payment_limit")
ALLOWED = "allowed_amount"
#: Every column the drug rules may add (input columns of these names would be overwritten).
DRUG_COLUMNS = (*OUTPUT, ALLOWED)
MISMATCH, UNKNOWN = "ndc_code_mismatch", "unknown_ndc"
#: What `units` must look like to be multiplied (anything else leaves allowed_amount empty).
_UNITS = r"^-?\d+(\.\d+)?$"
#: Added before flooring to the cent, so a product that is a tie in decimal (2.175) is not taken
#: for the binary number just below it; the same in both engines.
_CENT_NUDGE = 1e-6


def quarter_key(label: str) -> int:
    """A quarter label as the integer the engines join on: 2026-01 -> 202601."""
    return int(label[:4]) * 100 + int(label[5:7])


@dataclass(frozen=True)
class DrugClaimTables:
    """What the drug rules join claim lines against, built once per open store."""

    quarters: list[tuple[int, dt.date, dt.date]]  # (key, first day, last day), oldest first
    prices: list[tuple[int, str, str | None, float | None]]  # (key, code, billing unit, payment limit)
    ndcs: list[tuple[int, str, list[str]]]  # (key, the NDC as typed, the codes it maps to)

    @classmethod
    def of(cls, tables: DrugTables) -> DrugClaimTables:
        """The tables of every stored quarter."""
        quarters = [(quarter_key(q.quarter), dt.date.fromisoformat(q.effective_from),
                     dt.date.fromisoformat(q.effective_until)) for q in tables.quarters()]  # fmt: skip
        connection = tables.connection
        prices = connection.execute(
            "SELECT quarter, code, dosage, payment_limit FROM drug_payment_limits UNION ALL "
            "SELECT quarter, code, MIN(hcpcs_dosage), NULL FROM drug_crosswalk AS c WHERE NOT EXISTS "
            "(SELECT 1 FROM drug_payment_limits AS p WHERE p.quarter = c.quarter AND p.code = c.code) "
            "GROUP BY quarter, code"
        ).fetchall()
        codes: dict[tuple[int, str], set[str]] = {}
        for quarter, code, ndc, product in connection.execute(
            "SELECT quarter, code, ndc, product_id FROM drug_crosswalk"
        ):
            key = quarter_key(quarter)
            for form in typed_forms(ndc) if ndc else [product.strip().upper()]:
                codes.setdefault((key, form), set()).add(code)
        return cls(
            quarters,
            [(quarter_key(quarter), code, unit, limit) for quarter, code, unit, limit in prices],
            [(key, form, sorted(found)) for (key, form), found in codes.items()],
        )


def _level_ii(code: Any, regex: Any) -> Any:
    """Whether the (trimmed, upper-case) code is Level II shaped: an engine's expression."""
    from hcpcs.claims.rules import CODE_SHAPE, LEVEL_I_SHAPE

    return regex(code, CODE_SHAPE) & ~regex(code, LEVEL_I_SHAPE)


# -- polars ------------------------------------------------------------------------
def polars_drugs(
    lines: pl.LazyFrame, drugs: DrugClaimTables, columns: list[str]
) -> tuple[pl.LazyFrame, dict[str, pl.Expr], list[str]]:
    """The lines (which hold `__code` and `__dos`) with the drug columns joined; the two checks;
    the output columns to add. Joins keep the lines' order and stream."""
    import polars as pl

    dos = pl.col("__dos")
    key = pl.lit(None, dtype=pl.Int32)
    if drugs.quarters:
        newest, newest_until = drugs.quarters[-1][0], drugs.quarters[-1][2]
        chain = pl.when(dos > pl.lit(newest_until)).then(pl.lit(newest, dtype=pl.Int32))
        for number, start, until in drugs.quarters:
            chain = chain.when((dos >= pl.lit(start)) & (dos <= pl.lit(until))).then(pl.lit(number, dtype=pl.Int32))
        key = chain.otherwise(pl.lit(None, dtype=pl.Int32))
    prices = pl.LazyFrame(
        drugs.prices, schema={"__dq": pl.Int32, "__code": pl.String, "billing_unit": pl.String,
                              "payment_limit": pl.Float64}, orient="row",
    )  # fmt: skip
    lines = lines.with_columns(key.alias("__dq")).join(prices, on=["__dq", "__code"], how="left", maintain_order="left")
    checks = {MISMATCH: pl.lit(False), UNKNOWN: pl.lit(False)}
    if NDC_COLUMN in columns:
        ndcs = pl.LazyFrame(drugs.ndcs, schema={"__dq": pl.Int32, "__ndc": pl.String,
                                                "__ndc_codes": pl.List(pl.String)}, orient="row")  # fmt: skip
        typed = pl.col(NDC_COLUMN).cast(pl.String).str.strip_chars().str.to_uppercase()
        lines = lines.with_columns(typed.alias("__ndc")).join(ndcs, on=["__dq", "__ndc"], how="left",
                                                              maintain_order="left")  # fmt: skip
        checkable = (
            pl.col("__ndc").fill_null("").ne("")
            & pl.col("__dq").is_not_null()
            & _level_ii(pl.col("__code"), lambda c, r: c.str.contains(r))
        )
        known = pl.col("__ndc_codes").is_not_null()
        checks = {
            MISMATCH: checkable & known & ~pl.col("__ndc_codes").list.contains(pl.col("__code")),
            UNKNOWN: checkable & ~known,
        }
    output = list(OUTPUT)
    if UNITS_COLUMN in columns:
        text = pl.col(UNITS_COLUMN).cast(pl.String).str.strip_chars()
        units = pl.when(text.str.contains(_UNITS)).then(text.cast(pl.Float64, strict=False))
        cents = (units * pl.col("payment_limit") * 100 + 0.5 + _CENT_NUDGE).floor()
        lines = lines.with_columns((cents / 100).alias(ALLOWED))
        output.append(ALLOWED)
    return lines, checks, output


# -- Spark -------------------------------------------------------------------------
def spark_drugs(lines: Any, drugs: DrugClaimTables, columns: list[str]) -> tuple[Any, dict[str, Any], list[str]]:
    """The same as `polars_drugs` on a Spark frame (broadcast joins)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    spark = lines.sparkSession
    dos = F.col("__dos")
    key = F.lit(None).cast("int")
    if drugs.quarters:
        newest, newest_until = drugs.quarters[-1][0], drugs.quarters[-1][2]
        chain = F.when(dos > F.lit(newest_until), F.lit(newest))
        for number, start, until in drugs.quarters:
            chain = chain.when((dos >= F.lit(start)) & (dos <= F.lit(until)), F.lit(number))
        key = chain.otherwise(F.lit(None)).cast("int")
    price_schema = T.StructType([
        T.StructField("__p_dq", T.IntegerType()), T.StructField("__p_code", T.StringType()),
        T.StructField("billing_unit", T.StringType()), T.StructField("payment_limit", T.DoubleType()),
    ])  # fmt: skip
    prices = spark.createDataFrame(drugs.prices, price_schema)
    lines = lines.withColumn("__dq", key)
    same = (lines["__dq"] == prices["__p_dq"]) & (lines["__code"] == prices["__p_code"])
    lines = lines.join(F.broadcast(prices), same, "left").drop("__p_dq", "__p_code")
    checks = {MISMATCH: F.lit(False), UNKNOWN: F.lit(False)}
    if NDC_COLUMN in columns:
        ndc_schema = T.StructType([
            T.StructField("__n_dq", T.IntegerType()), T.StructField("__n_ndc", T.StringType()),
            T.StructField("__ndc_codes", T.ArrayType(T.StringType())),
        ])  # fmt: skip
        ndcs = spark.createDataFrame(drugs.ndcs, ndc_schema)
        lines = lines.withColumn("__ndc", F.upper(F.trim(F.col(NDC_COLUMN).cast("string"))))
        same = (lines["__dq"] == ndcs["__n_dq"]) & (lines["__ndc"] == ndcs["__n_ndc"])
        lines = lines.join(F.broadcast(ndcs), same, "left").drop("__n_dq", "__n_ndc")
        checkable = (
            (F.coalesce(F.col("__ndc"), F.lit("")) != "")
            & F.col("__dq").isNotNull()
            & _level_ii(F.col("__code"), lambda c, r: c.rlike(r))
        )
        known = F.col("__ndc_codes").isNotNull()
        checks = {
            MISMATCH: checkable & known & ~F.array_contains(F.col("__ndc_codes"), F.col("__code")),
            UNKNOWN: checkable & ~known,
        }
    output = list(OUTPUT)
    if UNITS_COLUMN in columns:
        text = F.trim(F.col(UNITS_COLUMN).cast("string"))
        units = F.when(text.rlike(_UNITS), text.cast("double"))
        cents = F.floor(units * F.col("payment_limit") * 100 + 0.5 + _CENT_NUDGE)
        lines = lines.withColumn(ALLOWED, cents / 100)
        output.append(ALLOWED)
    return lines, checks, output
