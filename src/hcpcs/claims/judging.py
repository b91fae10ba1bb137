"""Which record judges a line: per code and per release in effect on the date of service, the
record of the as-of rule, with the enrichment columns ready. Both engines join against these."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

#: Columns a line takes from the record that judges it (besides the release).
MATCHED = (
    "added_date", "termination_date", "short_description", "long_description", "betos", "betos_description",
    "coverage", "coverage_description", "pricing_indicators", "type_of_service", "category", "noc", "replacement",
    "conflicts",
)  # fmt: skip


def release_starts(table: pl.DataFrame) -> list[tuple[str, object]]:
    """(label, effective date) of every release in the table, oldest first."""
    return table.select("release", "effective").unique().sort("effective").rows()


def judging_releases(table: pl.DataFrame) -> pl.DataFrame:
    """For each code and each stored release as the one in effect on a date: the release whose
    record judges the code (the latest up to it that holds the code, else the earliest later one)."""
    from bisect import bisect_right

    import polars as pl

    labels = [label for label, _ in release_starts(table)]
    rows = {"code": [], "__in_effect": [], "release": []}
    for code, held in table.group_by("code").agg(pl.col("release").unique().sort()).iter_rows():
        for label in labels:
            up_to = bisect_right(held, label)
            rows["code"].append(code)
            rows["__in_effect"].append(label)
            rows["release"].append(held[up_to - 1] if up_to else held[0])
    return pl.DataFrame(rows)


def judged_records(table: pl.DataFrame, codebook, kind: str) -> pl.DataFrame:
    """Per code of the kind and release in effect: the judging release and its record's columns."""
    import polars as pl

    rows = table.filter(pl.col("kind") == kind)
    described = rows.with_columns(
        pl.col("betos").replace_strict(codebook.values("betos"), default=None, return_dtype=pl.String)
        .alias("betos_description"),
        pl.col("coverage").replace_strict(codebook.values("coverage"), default=None, return_dtype=pl.String)
        .alias("coverage_description"),
    )  # fmt: skip
    return judging_releases(rows).join(described.select("code", "release", *MATCHED), on=["code", "release"])


def conflict_codes(table: pl.DataFrame) -> list[str]:
    """Codes on either side of a "do not use with" pair in some release: the only lines the
    conflict rule needs to look at."""
    import polars as pl

    having = table.filter(pl.col("conflicts").list.len() > 0)
    return sorted(set(having.get_column("code")) | set(having.get_column("conflicts").explode().drop_nulls()))
