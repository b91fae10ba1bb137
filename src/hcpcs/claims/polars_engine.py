"""The claim-line rules on polars: joins against the code table, so millions of lines are cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hcpcs.claims.codetable import code_frame
from hcpcs.claims.rules import (
    CODE_SHAPE,
    ERRORS,
    LEVEL_I_MODIFIER,
    LEVEL_I_SHAPE,
    NOT_PAYABLE,
    REQUIRED_COLUMNS,
)
from hcpcs.errors import InputError

if TYPE_CHECKING:
    import polars as pl

    from hcpcs.store import Store

ENRICHMENT = (
    "short_description", "long_description", "betos", "betos_description", "coverage", "coverage_description",
    "pricing_indicators", "type_of_service", "category", "release",
)  # fmt: skip
OUTPUT = ("status", "issues", "replacement", *ENRICHMENT)
#: Code-table columns a line takes from the record that judges it (besides its release).
MATCHED = (
    "added_date", "termination_date", "short_description", "long_description", "betos", "coverage",
    "pricing_indicators", "type_of_service", "category", "noc", "replacement", "conflicts",
)  # fmt: skip


def check_columns(columns: list[str], source: str) -> None:
    """Every required column is there, and no input column would be overwritten."""
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        need = ", ".join(REQUIRED_COLUMNS)
        raise InputError(source, None, f"missing column(s) {', '.join(missing)} (need {need})")
    clashing = [name for name in columns if name in OUTPUT or name.startswith("__")]
    if clashing:
        raise InputError(source, None, f"column(s) {', '.join(clashing)} would be overwritten by the output")


def judging_releases(table: pl.DataFrame) -> pl.DataFrame:
    """For each code and each stored release as the one in effect on a date: the release whose
    record judges the code (the latest up to it that holds the code, else the earliest later one)."""
    import polars as pl

    labels = sorted(table.get_column("release").unique().to_list())
    rows = {"code": [], "__in_effect": [], "__judged": []}
    for code, held in table.group_by("code").agg(pl.col("release").unique().sort()).iter_rows():
        for label in labels:
            earlier = [release for release in held if release <= label]
            rows["code"].append(code)
            rows["__in_effect"].append(label)
            rows["__judged"].append(earlier[-1] if earlier else held[0])
    return pl.DataFrame(rows)


def _in_effect(table: pl.DataFrame, date: str) -> pl.Expr:
    """The stored release in effect on the date (the earliest for dates before every release)."""
    import polars as pl

    releases = table.select("release", "effective").unique().sort("effective")
    index = pl.lit(releases.get_column("effective")).search_sorted(pl.col(date), side="right").cast(pl.Int64)
    label = (
        (index - 1).clip(0).replace_strict(list(range(releases.height)), releases.get_column("release"), default=None)
    )
    return pl.when(pl.col(date).is_not_null()).then(label).alias("__in_effect")


def _as_of(lines: pl.LazyFrame, table: pl.DataFrame, key: str, date: str, keep: tuple[str, ...]) -> pl.LazyFrame:
    """Each line with the record that judges it (hash joins: input order kept, nothing sorted)."""
    import polars as pl

    mapping = judging_releases(table).lazy().rename({"code": key})
    records = table.lazy().select(pl.col("code").alias(key), pl.col("release").alias("__judged"), *keep)
    judged = lines.with_columns(_in_effect(table, date))
    judged = judged.join(mapping, on=[key, "__in_effect"], how="left", maintain_order="left")
    judged = judged.join(records, on=[key, "__judged"], how="left", maintain_order="left")
    return judged.drop("__in_effect").rename({"__judged": "release"})


def _modifier_flags(lines: pl.LazyFrame, modifiers: pl.DataFrame) -> pl.LazyFrame:
    import polars as pl

    split = (
        lines.select(
            "__row",
            "__dos",
            pl.col("modifiers")
            .cast(pl.String)
            .fill_null("")
            .str.to_uppercase()
            .str.replace_all(r"[,;\s]+", " ")
            .str.strip_chars()
            .str.split(" ")
            .alias("__modifier"),
        )  # fmt: skip
        .explode("__modifier")
        .filter((pl.col("__modifier") != "") & ~pl.col("__modifier").str.contains(LEVEL_I_MODIFIER))
    )
    known = modifiers.get_column("code").unique().implode()
    judged = _as_of(split, modifiers, "__modifier", "__dos", ("added_date", "termination_date"))
    # Flags per modifier first (whole columns), then one `any` per line: cheap aggregations only.
    judged = judged.with_columns(
        (~pl.col("__modifier").is_in(known)).alias("__unknown_modifier"),
        (
            pl.col("added_date").is_not_null()
            & ((pl.col("__dos") < pl.col("added_date")) | (pl.col("__dos") > pl.col("termination_date")))
        )
        .fill_null(False)
        .alias("__terminated_modifier"),
    )
    return judged.group_by("__row").agg(pl.col("__unknown_modifier").any(), pl.col("__terminated_modifier").any())


def _conflicting_rows(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Rows on either side of a pair a long description forbids together (same claim, same date)."""
    import polars as pl

    wanted = (
        lines.filter(pl.col("conflicts").list.len() > 0)
        .select("__row", "__claim", "__dos", pl.col("conflicts").alias("__other"))
        .explode("__other")
    )
    others = lines.select(pl.col("__row").alias("__row_other"), "__claim", "__dos", pl.col("__code").alias("__other"))
    pairs = wanted.join(others, on=["__claim", "__dos", "__other"], how="inner")
    rows = pl.concat([pairs.select("__row"), pairs.select(pl.col("__row_other").alias("__row"))])
    return rows.unique().with_columns(pl.lit(True).alias("__conflict"))


def validate_lazy(lines: pl.LazyFrame, table: pl.DataFrame, codebook) -> pl.LazyFrame:
    """Every input row, in input order, with status, issues, replacement and enrichment."""
    import polars as pl

    columns = lines.collect_schema().names()
    lines = lines.with_row_index("__row").with_columns(
        pl.col("code").cast(pl.String).fill_null("").str.strip_chars().str.to_uppercase().alias("__code"),
        pl.col("date_of_service")
        .cast(pl.String)
        .str.strip_chars()
        .str.to_date("%Y-%m-%d", strict=False)
        .alias("__dos"),
        pl.col("claim_id").cast(pl.String).alias("__claim"),
    )
    procedures = table.filter(pl.col("kind") == "procedure")
    known_codes = procedures.get_column("code").unique().implode()
    judged = _as_of(lines, procedures, "__code", "__dos", MATCHED)
    modifier_flags = _modifier_flags(lines, table.filter(pl.col("kind") == "modifier"))
    # Collected once: the conflict self-join reads it twice and would otherwise redo the joins.
    judged = judged.join(modifier_flags, on="__row", how="left", maintain_order="left").collect().lazy()
    judged = judged.join(_conflicting_rows(judged), on="__row", how="left", maintain_order="left")
    level_i = pl.col("__code").str.contains(LEVEL_I_SHAPE)
    malformed = ~pl.col("__code").str.contains(CODE_SHAPE)
    matched = pl.col("release").is_not_null()
    checks = [
        ("malformed_code", malformed),
        ("unknown_code", ~malformed & ~level_i & ~pl.col("__code").is_in(known_codes)),
        ("not_yet_effective", matched & (pl.col("__dos") < pl.col("added_date"))),
        ("terminated", matched & (pl.col("__dos") > pl.col("termination_date"))),
        ("bad_date", pl.col("__dos").is_null()),
        ("unknown_modifier", pl.col("__unknown_modifier")),
        ("terminated_modifier", pl.col("__terminated_modifier")),
        ("conflicting_codes", pl.col("__conflict")),
        ("medicare_not_payable", matched & pl.col("coverage").is_in(list(NOT_PAYABLE))),
        ("noc_requires_description", matched & pl.col("noc")),
        ("level_i_not_checked", level_i),
    ]
    # Issue codes in alphabetical order, so the joined string comes out sorted.
    checks.sort(key=lambda check: check[0])
    flags = {name: condition.fill_null(False) for name, condition in checks}
    issues = pl.concat_str(
        [pl.when(flag).then(pl.lit(f"{name};")).otherwise(pl.lit("")) for name, flag in flags.items()]
    ).str.strip_suffix(";")
    is_error = pl.any_horizontal([flags[name] for name in ERRORS])
    is_warning = pl.any_horizontal([flag for name, flag in flags.items() if name not in ERRORS])
    betos = codebook.values("betos")
    coverage = codebook.values("coverage")
    result = judged.with_columns(
        issues.alias("issues"),
        pl.when(is_error).then(pl.lit("error")).when(is_warning).then(pl.lit("warning"))
        .otherwise(pl.lit("ok")).alias("status"),
        pl.when(pl.col("__dos") > pl.col("termination_date")).then(pl.col("replacement")).otherwise(pl.lit(""))
        .fill_null("").alias("replacement"),
        pl.col("betos").replace_strict(betos, default=None, return_dtype=pl.String).alias("betos_description"),
        pl.col("coverage").replace_strict(coverage, default=None, return_dtype=pl.String).alias("coverage_description"),
    )  # fmt: skip
    return result.select(*columns, *OUTPUT)


def validate_file(store: Store, path, out=None, file_format: str | None = None, out_format: str | None = None,
                  release: str | None = None) -> pl.DataFrame:  # fmt: skip
    """Read a claim file, check every line, write the result; returns the checked frame."""
    from pathlib import Path

    from hcpcs.claims.files import read_lines, write_lines

    path = Path(path)
    lines = read_lines(path, file_format)
    check_columns(lines.collect_schema().names(), path.name)
    try:
        result = validate_lazy(lines, code_frame(store, release), store.codebook).collect()
    except Exception as error:  # polars reports bad bytes and shapes only when it reads them
        import polars as pl

        if not isinstance(error, pl.exceptions.PolarsError):
            raise
        raise InputError(path.name, None, f"cannot read the lines ({str(error).splitlines()[0][:120]})") from None
    write_lines(result, Path(out) if out else None, out_format)
    return result


def validate_frame(frame: Any, store: Store | None = None, release: str | None = None) -> Any:
    """Validate a polars (or pandas) frame of claim lines; the same kind of frame comes back."""
    import polars as pl

    import hcpcs

    from_pandas = not isinstance(frame, (pl.DataFrame, pl.LazyFrame))
    lines = pl.from_pandas(frame) if from_pandas else frame
    lazy = lines.lazy()
    check_columns(lazy.collect_schema().names(), "frame")
    opened = store or hcpcs.open()
    try:
        result = validate_lazy(lazy, code_frame(opened, release), opened.codebook).collect()
    finally:
        if store is None:
            opened.close()
    return result.to_pandas() if from_pandas else result
