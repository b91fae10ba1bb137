"""The same claim-line rules as a PySpark job: the code table broadcast, lines anywhere Spark runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hcpcs.claims.codetable import LIST_COLUMNS, code_frame
from hcpcs.claims.judging import MATCHED, judged_records, release_starts
from hcpcs.claims.polars_engine import ENRICHMENT, OUTPUT, check_columns
from hcpcs.claims.rules import (
    CODE_SHAPE,
    ERRORS,
    LEVEL_I_MODIFIER,
    LEVEL_I_SHAPE,
    MAX_MODIFIERS,
    NOT_PAYABLE,
    covers_until,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from hcpcs.store import Store


def require_spark() -> None:
    """Raise MissingDependencyError, in one line, unless PySpark and Java are installed."""
    import importlib.util
    import os
    import shutil

    from hcpcs.errors import MissingDependencyError

    if importlib.util.find_spec("pyspark") is None:
        raise MissingDependencyError(
            "--engine spark needs PySpark: pip install 'hcpcs[spark]' (Spark also needs Java 17 or later)"
        )
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.access(os.path.join(java_home, "bin", "java"), os.X_OK)):
        raise MissingDependencyError(
            "--engine spark needs Java 17 or later on PATH or in JAVA_HOME "
            "(Debian: apt-get install openjdk-17-jre-headless)"
        )


def spark_session(master: str = "local[*]") -> SparkSession:
    """A Spark session (local mode unless a master URL is given), quiet: errors only, no
    console progress bars (the CLI reports the counts at the end)."""
    import warnings
    from importlib.resources import files
    from pathlib import Path

    log_profile = Path(str(files("hcpcs") / "data" / "spark-log4j2.properties")).as_uri()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master(master)
            .appName("hcpcs-validate")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log_profile}")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _tables(spark: SparkSession, store: Store, release: str | None):
    """The judged records of procedures and modifiers as Spark frames, and the release starts."""
    from pyspark.sql import types as T

    table = code_frame(store, release)
    string = T.StringType()
    types = {"added_date": T.DateType(), "termination_date": T.DateType(), "noc": T.BooleanType()}
    types |= dict.fromkeys(LIST_COLUMNS, T.ArrayType(string))

    def frame(kind: str):
        judged = judged_records(table, store.codebook, kind)
        schema = T.StructType([T.StructField(name, types.get(name, string)) for name in judged.columns])
        return spark.createDataFrame(judged.rows(), schema)

    return frame("procedure"), frame("modifier"), release_starts(table)


def _in_effect(releases: list[tuple[str, Any]], date):
    """The release in effect on the date: the latest that started by then, else the earliest."""
    from pyspark.sql import functions as F

    label = F.lit(releases[0][0])
    for name, effective in releases[1:]:
        label = F.when(date >= F.lit(effective), F.lit(name)).otherwise(label)
    return F.when(date.isNotNull(), label)


def _judge(lines: DataFrame, judged: DataFrame, releases, key: str, keep: list[str]) -> DataFrame:
    """Each line with the columns of the record that judges its code in column `key`."""
    from pyspark.sql import functions as F

    lines = lines.withColumn("__in_effect", _in_effect(releases, F.col("__dos")))
    records = judged.select(F.col("code").alias("__j_code"), F.col("__in_effect").alias("__j_in_effect"), *keep)
    condition = (lines[key] == records["__j_code"]) & (lines["__in_effect"] == records["__j_in_effect"])
    return lines.join(F.broadcast(records), condition, "left").drop("__j_code", "__j_in_effect", "__in_effect")


def strip(column):
    """Whitespace (tabs and newlines too) cut from both ends, as polars' strip_chars() does."""
    from pyspark.sql import functions as F

    return F.regexp_replace(column, r"^\s+|\s+$", "")


def validate_spark(lines: DataFrame, store: Store, release: str | None = None) -> DataFrame:
    """Every input row with status, issues, replacement and enrichment, as the polars engine gives."""
    from pyspark.sql import functions as F

    spark = lines.sparkSession
    columns = lines.columns
    check_columns(columns, "frame")
    procedures, modifiers, releases = _tables(spark, store, release)
    lines = lines.withColumn("__row", F.monotonically_increasing_id()).select(
        *columns,
        "__row",
        F.upper(strip(F.coalesce(F.col("code").cast("string"), F.lit("")))).alias("__code"),
        F.try_to_date(strip(F.col("date_of_service").cast("string")), "yyyy-MM-dd").alias("__dos"),
        F.col("claim_id").cast("string").alias("__claim"),
    )
    judged = _judge(lines, procedures, releases, "__code", ["release", *MATCHED])

    modifier_list = F.split(
        F.trim(F.regexp_replace(F.upper(F.coalesce(F.col("modifiers").cast("string"), F.lit(""))), r"[,;\s]+", " ")),
        " ",
    )
    split = lines.select("__row", "__dos", F.posexplode(modifier_list).alias("__place", "__modifier")).filter(
        (F.col("__modifier") != "") & (F.col("__place") < MAX_MODIFIERS) & ~F.col("__modifier").rlike(LEVEL_I_MODIFIER)
    )  # the first MAX_MODIFIERS places, as the polars engine checks them
    known = modifiers.select(F.col("code").alias("__known")).distinct()
    flagged = _judge(split, modifiers, releases, "__modifier", ["added_date", "termination_date"])
    flagged = flagged.join(F.broadcast(known), flagged["__modifier"] == known["__known"], "left")
    modifier_flags = flagged.groupBy("__row").agg(
        F.max(F.col("__known").isNull()).alias("__unknown_modifier"),
        F.max(F.coalesce(F.col("__dos") < F.col("added_date"), F.lit(False))).alias("__early_modifier"),
        F.max(F.coalesce(F.col("__dos") > F.col("termination_date"), F.lit(False))).alias("__ended_modifier"),
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
        "not_yet_effective_modifier": F.col("__early_modifier"),
        "terminated_modifier": F.col("__ended_modifier"),
        "too_many_modifiers": F.size(F.filter(modifier_list, lambda m: m != "")) > MAX_MODIFIERS,
        "conflicting_codes": F.col("__conflict"),
        "medicare_not_payable": matched & F.col("coverage").isin(list(NOT_PAYABLE)),
        "noc_requires_description": matched & F.col("noc"),
        "level_i_not_checked": level_i,
        "beyond_latest_release": F.col("__dos")
        > F.lit(covers_until([start for _, start in releases], store.latest_release())),
    }
    from hcpcs.drugs.claims import DrugClaimTables, spark_drugs

    drugs = store.remember(("claim drug tables",), lambda: DrugClaimTables.of(store.drugs))
    judged, drug_checks, drug_output = spark_drugs(judged, drugs, columns)
    checks |= drug_checks
    flags = {name: F.coalesce(condition, F.lit(False)) for name, condition in sorted(checks.items())}
    is_error = F.greatest(*[flags[name] for name in ERRORS])
    is_warning = F.greatest(*[flag for name, flag in flags.items() if name not in ERRORS])
    result = judged.select(
        *columns,
        "__row",
        F.when(is_error, "error").when(is_warning, "warning").otherwise("ok").alias("status"),
        F.concat_ws(";", *[F.when(flag, F.lit(name)) for name, flag in flags.items()]).alias("issues"),
        F.when(F.col("__dos") > F.col("termination_date"), F.col("replacement"))
        .otherwise(F.lit(""))
        .alias("replacement"),
        *ENRICHMENT,
        *drug_output,
    )
    return result.orderBy("__row").select(*columns, *OUTPUT, *drug_output)


def read_spark(spark: SparkSession, path: str, kind: str) -> DataFrame:
    """Claim lines as Spark reads them (any path Spark can read: a file, a directory, hdfs://...)."""
    reader = spark.read
    if kind == "csv":
        # Spark reads an empty CSV field as null, polars as "": read it as the polars engine does.
        return reader.option("header", True).option("inferSchema", False).csv(path).fillna("")
    return reader.parquet(path) if kind == "parquet" else reader.json(path)


def validate_file_spark(store: Store, path, out=None, out_format: str | None = None, release: str | None = None,
                        master: str = "local[*]") -> dict[str, int]:  # fmt: skip
    """`hcpcs validate --engine spark`: Spark reads the lines, runs the rules and writes the
    checked lines itself, as a directory of part files in input order (Spark's own output,
    so nothing passes through this machine). Without `out` the lines come back as CSV or JSON
    Lines on stdout. Returns the count per status."""
    from pathlib import Path

    import polars as pl

    from hcpcs.claims.files import format_of, output_format, read_lines, write_lines
    from hcpcs.errors import InputError

    source = Path(path)
    if not source.exists():
        raise InputError(str(source), None, "no such file")
    source_kind = format_of(source, None)
    target = Path(out) if out is not None else None
    if target is not None and target.exists():
        raise InputError(str(target), None, "already exists (Spark writes a new directory of part files)")
    # Every question about the command is answered before Spark takes its ten seconds to start.
    kind = output_format(target, out_format)
    if source.is_file() and source_kind in ("csv", "parquet"):  # their columns cost a header read
        check_columns(read_lines(source, source_kind).collect_schema().names(), source.name)
    require_spark()
    spark = spark_session(master)
    lines = read_spark(spark, str(source), source_kind)
    check_columns(lines.columns, source.name)
    checked = validate_spark(lines, store, release)
    if target is None:
        rows = [row.asDict() for row in checked.collect()]
        result = pl.DataFrame(rows, schema=checked.columns, orient="row")
        write_lines(result, None, kind)
        counted = result.get_column("status").value_counts().rows()
    else:
        if kind == "csv":  # CSV holds a list joined by ";", as the polars engine writes it
            from pyspark.sql import functions as F
            from pyspark.sql import types as T

            arrays = [field.name for field in checked.schema.fields if isinstance(field.dataType, T.ArrayType)]
            checked = checked.withColumns({name: F.concat_ws(";", name) for name in arrays})
        writer = checked.write
        {"csv": writer.option("header", True).csv, "parquet": writer.parquet, "jsonl": writer.json}[kind](str(target))
        counted = [tuple(row) for row in read_spark(spark, str(target), kind).groupBy("status").count().collect()]
    return dict.fromkeys(("ok", "warning", "error"), 0) | dict(counted)
