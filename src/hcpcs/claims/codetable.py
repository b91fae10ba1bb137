"""The code table the engines join claim lines against: one row per code per release."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hcpcs.claims.rules import forbidden_with
from hcpcs.page import is_noc_description

if TYPE_CHECKING:
    import polars as pl

    from hcpcs.store import Store

COLUMNS = (
    "code", "kind", "release", "effective", "added_date", "termination_date", "short_description",
    "long_description", "betos", "coverage", "pricing_indicators", "type_of_service", "category", "noc",
    "replacement", "conflicts",
)  # fmt: skip


def code_rows(store: Store) -> list[dict]:
    """Every code of every stored release with what the rules and the enrichment need."""
    codebook = store.codebook
    replacements: dict[str, str] = {}
    rows = []
    for release in store.release_labels():
        codes = store.codes(release)
        noc_release = store.nearest_release_with("noc_codes", release)
        noc_codes = store.noc_code_set(noc_release) if noc_release else frozenset()
        for record in store.records(release):
            if record.termination_date and record.code not in replacements:
                replacements[record.code] = ";".join(store.replacements(record.code).replacements)
            rows.append(
                {
                    "code": record.code,
                    "kind": record.kind,
                    "release": release,
                    "effective": f"{release}-01",
                    "added_date": record.added_date,
                    "termination_date": record.termination_date,
                    "short_description": record.short_description,
                    "long_description": record.long_description,
                    "betos": record.betos,
                    "coverage": record.coverage,
                    "pricing_indicators": ";".join(record.pricing_indicators),
                    "type_of_service": ";".join(record.type_of_service),
                    "category": codebook.section(record.code, record.kind),
                    "noc": record.code in noc_codes or is_noc_description(record),
                    "replacement": replacements.get(record.code, "") if record.termination_date else "",
                    "conflicts": forbidden_with(record.long_description, codes),
                }
            )
    return rows


def code_frame(store: Store, release: str | None = None) -> pl.DataFrame:
    """The code table as a polars frame (only one release's rows when `release` is given)."""
    import polars as pl

    schema = {name: pl.String for name in COLUMNS} | {"noc": pl.Boolean, "conflicts": pl.List(pl.String)}
    frame = pl.DataFrame(code_rows(store), schema=schema)
    frame = frame.with_columns(pl.col(name).str.to_date() for name in ("effective", "added_date", "termination_date"))
    if release is not None:
        frame = frame.filter(pl.col("release") == store.resolve_release(release))
    return frame.sort("effective")
