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


def _key(quarter: pl.Expr) -> pl.Expr:
    """quarter_key as a polars expression."""
    import polars as pl

    return (quarter.str.slice(0, 4).cast(pl.Int32) * 100 + quarter.str.slice(5, 2).cast(pl.Int32)).alias("__dq")


def typed_forms(crosswalk: pl.DataFrame) -> pl.DataFrame:
    """Every form a claim may carry each crosswalk row's NDC in (columns __dq, code, __ndc): 5-4-2
    with and without dashes, and the 10-digit dashed form whose short part the padded zero filled
    (00143-9857-25 was 0143-9857-25); a product number that is no NDC as CMS wrote it."""
    import polars as pl

    ndc = pl.col("ndc")
    plain = crosswalk.filter(ndc.is_not_null())
    forms = [
        ndc,
        ndc.str.replace_all("-", ""),
        pl.when(ndc.str.slice(0, 1) == "0").then(ndc.str.slice(1)),  # 4-4-2
        pl.when(ndc.str.slice(6, 1) == "0").then(ndc.str.slice(0, 6) + ndc.str.slice(7)),  # 5-3-2
        pl.when(ndc.str.slice(11, 1) == "0").then(ndc.str.slice(0, 11) + ndc.str.slice(12)),  # 5-4-1
    ]
    others = crosswalk.filter(ndc.is_null()).select("__dq", "code", pl.col("product").str.strip_chars()
                                                     .str.to_uppercase().alias("__ndc"))  # fmt: skip
    return pl.concat([*(plain.select("__dq", "code", form.alias("__ndc")) for form in forms), others]).drop_nulls()


def _frame(cursor, names: list[str], types: list) -> pl.DataFrame:
    """A query's rows as a polars frame, built column by column (far quicker than row by row)."""
    import polars as pl

    rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pl.DataFrame({name: pl.Series(name, list(values), dtype=kind) for name, values, kind in
                         zip(names, columns, types, strict=True)})  # fmt: skip


def _codes_by_ndc(crosswalk: pl.DataFrame) -> pl.DataFrame:
    """One row per quarter and typed NDC with the codes it bills as, as ';J0881;J0882;': one join
    per line and a substring test, where a list per line would cost far more."""
    import polars as pl

    codes = typed_forms(crosswalk).unique().group_by("__dq", "__ndc").agg(pl.col("code").str.join(";"))
    return codes.select("__dq", "__ndc", (";" + pl.col("code") + ";").alias("__ndc_codes"))


@dataclass(frozen=True)
class DrugClaimTables:
    """What the drug rules join claim lines against, built once per open store (columnar)."""

    quarters: list[tuple[int, dt.date, dt.date]]  # (key, first day, last day), oldest first
    prices: pl.DataFrame  # __dq, __code, billing_unit, payment_limit
    ndcs: pl.DataFrame  # __dq, __ndc (an NDC as typed), __ndc_codes (';J0881;J0882;': the codes it bills as)

    @classmethod
    def of(cls, tables: DrugTables) -> DrugClaimTables:
        """The tables of every stored quarter."""
        import polars as pl

        quarters = [(quarter_key(q.quarter), dt.date.fromisoformat(q.effective_from),
                     dt.date.fromisoformat(q.effective_until)) for q in tables.quarters()]  # fmt: skip
        connection = tables.connection
        text = pl.String
        prices = _frame(connection.execute(
            "SELECT quarter, code, dosage, payment_limit FROM drug_payment_limits UNION ALL "
            "SELECT quarter, code, MIN(hcpcs_dosage), NULL FROM drug_crosswalk AS c WHERE NOT EXISTS "
            "(SELECT 1 FROM drug_payment_limits AS p WHERE p.quarter = c.quarter AND p.code = c.code) "
            "GROUP BY quarter, code"
        ), ["quarter", "__code", "billing_unit", "payment_limit"], [text, text, text, pl.Float64])  # fmt: skip
        crosswalk = _frame(connection.execute("SELECT quarter, code, ndc, product_id FROM drug_crosswalk"),
                           ["quarter", "code", "ndc", "product"], [text] * 4)  # fmt: skip
        crosswalk = crosswalk.with_columns(_key(pl.col("quarter")))
        return cls(quarters, prices.select(_key(pl.col("quarter")), pl.exclude("quarter")), _codes_by_ndc(crosswalk))


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
    lines = lines.with_columns(key.alias("__dq"))
    lines = lines.join(drugs.prices.lazy(), on=["__dq", "__code"], how="left", maintain_order="left")
    checks = {MISMATCH: pl.lit(False), UNKNOWN: pl.lit(False)}
    if NDC_COLUMN in columns:
        typed = pl.col(NDC_COLUMN).cast(pl.String).str.strip_chars().str.to_uppercase()
        lines = lines.with_columns(typed.alias("__ndc"))
        lines = lines.join(drugs.ndcs.lazy(), on=["__dq", "__ndc"], how="left", maintain_order="left")
        checkable = (
            pl.col("__ndc").fill_null("").ne("")
            & pl.col("__dq").is_not_null()
            & _level_ii(pl.col("__code"), lambda c, r: c.str.contains(r))
        )
        known = pl.col("__ndc_codes").is_not_null()
        billed = pl.col("__ndc_codes").str.contains(
            pl.concat_str(pl.lit(";"), pl.col("__code"), pl.lit(";")), literal=True
        )
        checks = {MISMATCH: checkable & known & ~billed, UNKNOWN: checkable & ~known}
    output = list(OUTPUT)
    if UNITS_COLUMN in columns:
        text = pl.col(UNITS_COLUMN).cast(pl.String).str.strip_chars()
        units = pl.when(text.str.contains(_UNITS)).then(text.cast(pl.Float64, strict=False))
        cents = (units * pl.col("payment_limit") * 100 + 0.5 + _CENT_NUDGE).floor()
        lines = lines.with_columns((cents / 100).alias(ALLOWED))
        output.append(ALLOWED)
    return lines, checks, output


# -- Spark -------------------------------------------------------------------------
def _spark_join(lines: Any, table: pl.DataFrame, keys: list[str]) -> Any:
    """A left join of the lines to a small polars table, broadcast; the table's keys are dropped."""
    import polars as pl
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    types = {pl.Int32: T.IntegerType(), pl.String: T.StringType(), pl.Float64: T.DoubleType(),
             pl.Boolean: T.BooleanType()}  # fmt: skip
    renamed = {name: f"__r{name}" if name in keys else name for name in table.columns}
    schema = T.StructType([T.StructField(renamed[n], types[t]) for n, t in table.schema.items()])
    right = F.broadcast(lines.sparkSession.createDataFrame(table.rows(), schema))
    same = [lines[key] == right[renamed[key]] for key in keys]
    condition = same[0]
    for more in same[1:]:
        condition = condition & more
    return lines.join(right, condition, "left").drop(*(renamed[key] for key in keys))


def spark_drugs(lines: Any, drugs: DrugClaimTables, columns: list[str]) -> tuple[Any, dict[str, Any], list[str]]:
    """The same as `polars_drugs` on a Spark frame (broadcast joins)."""
    from pyspark.sql import functions as F

    from hcpcs.claims.spark_engine import strip

    dos = F.col("__dos")
    key = F.lit(None).cast("int")
    if drugs.quarters:
        newest, newest_until = drugs.quarters[-1][0], drugs.quarters[-1][2]
        chain = F.when(dos > F.lit(newest_until), F.lit(newest))
        for number, start, until in drugs.quarters:
            chain = chain.when((dos >= F.lit(start)) & (dos <= F.lit(until)), F.lit(number))
        key = chain.otherwise(F.lit(None)).cast("int")
    lines = _spark_join(lines.withColumn("__dq", key), drugs.prices, ["__dq", "__code"])
    checks = {MISMATCH: F.lit(False), UNKNOWN: F.lit(False)}
    if NDC_COLUMN in columns:
        lines = lines.withColumn("__ndc", F.upper(strip(F.col(NDC_COLUMN).cast("string"))))
        lines = _spark_join(lines, drugs.ndcs, ["__dq", "__ndc"])
        checkable = (
            (F.coalesce(F.col("__ndc"), F.lit("")) != "")
            & F.col("__dq").isNotNull()
            & _level_ii(F.col("__code"), lambda c, r: c.rlike(r))
        )
        known = F.col("__ndc_codes").isNotNull()
        billed = F.expr("instr(__ndc_codes, concat(';', __code, ';')) > 0")
        checks = {MISMATCH: checkable & known & ~billed, UNKNOWN: checkable & ~known}
    output = list(OUTPUT)
    if UNITS_COLUMN in columns:
        text = strip(F.col(UNITS_COLUMN).cast("string"))
        units = F.when(text.rlike(_UNITS), text.cast("double"))
        cents = F.floor(units * F.col("payment_limit") * 100 + 0.5 + _CENT_NUDGE)
        lines = lines.withColumn(ALLOWED, cents / 100)
        output.append(ALLOWED)
    return lines, checks, output
