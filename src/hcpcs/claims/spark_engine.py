"""The same claim-line rules as a PySpark job: the code table broadcast, lines anywhere Spark runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hcpcs.claims.codetable import COLUMNS, code_frame
from hcpcs.claims.polars_engine import MATCHED, OUTPUT, check_columns, judging_releases
from hcpcs.claims.rules import CODE_SHAPE, ERRORS, LEVEL_I_MODIFIER, LEVEL_I_SHAPE, NOT_PAYABLE

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from hcpcs.store import Store


def spark_session(master: str = "local[*]") -> SparkSession:
    """A Spark session (local mode unless a master URL is given)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("hcpcs-validate")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )


def _tables(spark: SparkSession, store: Store, release: str | None):
    from pyspark.sql import types as T

    table = code_frame(store, release)
    string = T.StringType()
    fields = {name: string for name in COLUMNS} | {
        "effective": T.DateType(), "added_date": T.DateType(), "termination_date": T.DateType(),
        "noc": T.BooleanType(), "conflicts": T.ArrayType(string),
    }  # fmt: skip
    schema = T.StructType([T.StructField(name, fields[name]) for name in table.columns])
    codes = spark.createDataFrame(table.rows(), schema)
    mapping = judging_releases(table)
    mapping_schema = T.StructType([T.StructField(name, string) for name in mapping.columns])
    releases = table.select("release", "effective").unique().sort("effective").rows()
    return codes, spark.createDataFrame(mapping.rows(), mapping_schema), releases


def _in_effect(releases: list[tuple[str, Any]], date):
    """The release in effect on the date: the latest that started by then, else the earliest."""
    from pyspark.sql import functions as F

    label = F.lit(releases[0][0])
    for name, effective in releases[1:]:
        label = F.when(date >= F.lit(effective), F.lit(name)).otherwise(label)
    return F.when(date.isNotNull(), label)


def _judge(lines: DataFrame, codes: DataFrame, mapping: DataFrame, releases, key: str, keep: list[str]) -> DataFrame:
    from pyspark.sql import functions as F

    judged = lines.withColumn("__in_effect", _in_effect(releases, F.col("__dos")))
    pick = mapping.withColumnRenamed("code", "__m_code").withColumnRenamed("__in_effect", "__m_in_effect")
    judged = judged.join(
        F.broadcast(pick),
        (judged[key] == pick["__m_code"]) & (judged["__in_effect"] == pick["__m_in_effect"]),
        "left",
    ).drop("__m_code", "__m_in_effect", "__in_effect")
    records = codes.select(F.col("code").alias("__r_code"), F.col("release").alias("__r_release"), *keep)
    judged = judged.join(
        F.broadcast(records),
        (judged[key] == records["__r_code"]) & (judged["__judged"] == records["__r_release"]),
        "left",
    )
    return judged.drop("__r_code", "__r_release").withColumnRenamed("__judged", "release")


def validate_spark(lines: DataFrame, store: Store, release: str | None = None) -> DataFrame:
    """Every input row with status, issues, replacement and enrichment, as the polars engine gives."""
    from pyspark.sql import functions as F

    spark = lines.sparkSession
    columns = lines.columns
    check_columns(columns, "frame")
    codes, mapping, releases = _tables(spark, store, release)
    lines = lines.withColumn("__row", F.monotonically_increasing_id()).select(
        *columns,
        "__row",
        F.upper(F.trim(F.coalesce(F.col("code").cast("string"), F.lit("")))).alias("__code"),
        F.try_to_date(F.trim(F.col("date_of_service").cast("string")), "yyyy-MM-dd").alias("__dos"),
        F.col("claim_id").cast("string").alias("__claim"),
    )
    procedures = codes.filter(F.col("kind") == "procedure")
    judged = _judge(lines, procedures, mapping, releases, "__code", list(MATCHED))

    modifier_codes = codes.filter(F.col("kind") == "modifier")
    split = lines.select(
        "__row",
        "__dos",
        F.explode(
            F.split(F.trim(F.regexp_replace(F.upper(F.coalesce(F.col("modifiers").cast("string"), F.lit(""))),
                                            r"[,;\s]+", " ")), " ")
        ).alias("__modifier"),
    ).filter((F.col("__modifier") != "") & ~F.col("__modifier").rlike(LEVEL_I_MODIFIER))  # fmt: skip
    known = modifier_codes.select(F.col("code").alias("__known")).distinct()
    flagged = _judge(split, modifier_codes, mapping, releases, "__modifier", ["added_date", "termination_date"])
    flagged = flagged.join(F.broadcast(known), flagged["__modifier"] == known["__known"], "left")
    modifier_flags = flagged.groupBy("__row").agg(
        F.max(F.col("__known").isNull()).alias("__unknown_modifier"),
        F.max(
            F.coalesce(
                F.col("added_date").isNotNull()
                & ((F.col("__dos") < F.col("added_date")) | (F.col("__dos") > F.col("termination_date"))),
                F.lit(False),
            )
        ).alias("__terminated_modifier"),
    )
    judged = judged.join(modifier_flags, "__row", "left")

    wanted = judged.select("__row", "__claim", "__dos", F.explode("conflicts").alias("__other"))
    others = judged.select(F.col("__row").alias("__row_other"), "__claim", "__dos", F.col("__code").alias("__other"))
    pairs = wanted.join(others, ["__claim", "__dos", "__other"])
    conflicted = pairs.select("__row").union(pairs.select(F.col("__row_other").alias("__row"))).distinct()
    judged = judged.join(conflicted.withColumn("__conflict", F.lit(True)), "__row", "left")

    all_codes = procedures.select(F.col("code").alias("__any_code")).distinct()
    judged = judged.join(F.broadcast(all_codes), judged["__code"] == all_codes["__any_code"], "left")
    level_i = F.col("__code").rlike(LEVEL_I_SHAPE)
    malformed = ~F.col("__code").rlike(CODE_SHAPE)
    matched = F.col("release").isNotNull()
    checks = {
        "malformed_code": malformed,
        "unknown_code": ~malformed & ~level_i & F.col("__any_code").isNull(),
        "not_yet_effective": matched & (F.col("__dos") < F.col("added_date")),
        "terminated": matched & (F.col("__dos") > F.col("termination_date")),
        "bad_date": F.col("__dos").isNull(),
        "unknown_modifier": F.col("__unknown_modifier"),
        "terminated_modifier": F.col("__terminated_modifier"),
        "conflicting_codes": F.col("__conflict"),
        "medicare_not_payable": matched & F.col("coverage").isin(list(NOT_PAYABLE)),
        "noc_requires_description": matched & F.col("noc"),
        "level_i_not_checked": level_i,
    }
    flags = {name: F.coalesce(condition, F.lit(False)) for name, condition in sorted(checks.items())}
    is_error = F.greatest(*[flags[name] for name in ERRORS])
    is_warning = F.greatest(*[flag for name, flag in flags.items() if name not in ERRORS])
    codebook = store.codebook

    def described(column: str, table: str):
        pairs = [F.lit(part) for item in codebook.values(table).items() for part in item]
        return F.create_map(*pairs)[F.col(column)]

    result = judged.select(
        *columns,
        "__row",
        F.when(is_error, "error").when(is_warning, "warning").otherwise("ok").alias("status"),
        F.concat_ws(";", *[F.when(flag, F.lit(name)) for name, flag in flags.items()]).alias("issues"),
        F.when(F.col("__dos") > F.col("termination_date"), F.col("replacement"))
        .otherwise(F.lit(""))
        .alias("replacement"),
        "short_description", "long_description", "betos",
        described("betos", "betos").alias("betos_description"),
        "coverage",
        described("coverage", "coverage").alias("coverage_description"),
        "pricing_indicators", "type_of_service", "category", "release",
    )  # fmt: skip
    return result.orderBy("__row").select(*columns, *OUTPUT)


def validate_file_spark(store: Store, path, out=None, out_format: str | None = None, release: str | None = None,
                        master: str = "local[*]"):  # fmt: skip
    """`hcpcs validate --engine spark`: Spark reads the file and runs the rules; the checked
    lines are written like the polars engine writes them (one file)."""
    from pathlib import Path

    import polars as pl

    from hcpcs.claims.files import format_of, write_lines
    from hcpcs.errors import InputError

    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), None, "no such file")
    spark = spark_session(master)
    kind = format_of(path, None)
    reader = spark.read
    if kind == "csv":
        # Spark reads an empty CSV field as null, polars as "": read it as the polars engine does.
        lines = reader.option("header", True).option("inferSchema", False).csv(str(path)).fillna("")
    elif kind == "parquet":
        lines = reader.parquet(str(path))
    else:
        lines = reader.json(str(path))
    check_columns(lines.columns, path.name)
    checked = validate_spark(lines, store, release)
    result = pl.DataFrame([row.asDict() for row in checked.collect()], schema=checked.columns, orient="row")
    write_lines(result, Path(out) if out else None, out_format)
    return result
