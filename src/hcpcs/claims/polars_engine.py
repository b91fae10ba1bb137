"""The claim-line rules on polars: joins against the code table, so millions of lines are cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hcpcs.claims.codetable import code_frame
from hcpcs.claims.rules import (
    CODE_SHAPE,
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
#: Code-table columns a line takes from the record that judges it.
_MATCHED = (
    "release", "added_date", "termination_date", "short_description", "long_description", "betos", "coverage",
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


def _as_of(lines: pl.LazyFrame, table: pl.DataFrame, key: str, date: str, keep: tuple[str, ...]) -> pl.LazyFrame:
    """Each line with the record that judges it: the latest release in effect on the date holding
    the code; else the earliest later release holding it. Lines without a date match nothing."""
    import polars as pl

    right = table.lazy().select(pl.col("code").alias(key), "effective", *keep)
    forward = right.rename({name: f"{name}__later" for name in ("effective", *keep)})
    dated = lines.filter(pl.col(date).is_not_null()).sort(date)
    right, forward = right.sort("effective"), forward.sort("effective__later")
    # Both sides are sorted on the date above; polars cannot check that within `by` groups.
    joined = dated.join_asof(
        right, left_on=date, right_on="effective", by=key, strategy="backward", check_sortedness=False
    )
    joined = joined.join_asof(
        forward, left_on=date, right_on="effective__later", by=key, strategy="forward", check_sortedness=False
    )
    joined = joined.with_columns(pl.coalesce(name, f"{name}__later").alias(name) for name in keep)
    joined = joined.drop([f"{name}__later" for name in ("effective", *keep)] + ["effective"])
    return pl.concat([joined, lines.filter(pl.col(date).is_null())], how="diagonal_relaxed")


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
    return judged.group_by("__row").agg(
        (~pl.col("__modifier").is_in(known)).any().alias("__unknown_modifier"),
        (
            pl.col("added_date").is_not_null()
            & ((pl.col("__dos") < pl.col("added_date")) | (pl.col("__dos") > pl.col("termination_date")))
        )
        .fill_null(False)
        .any()
        .alias("__terminated_modifier"),
    )


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
    judged = _as_of(lines, procedures, "__code", "__dos", _MATCHED)
    judged = judged.join(_modifier_flags(lines, table.filter(pl.col("kind") == "modifier")), on="__row", how="left")
    judged = judged.join(_conflicting_rows(judged), on="__row", how="left")
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
    from hcpcs.claims.rules import ERRORS

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
    return result.sort("__row").select(*columns, *OUTPUT)


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
