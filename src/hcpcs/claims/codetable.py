"""The code table the engines join claim lines against: one row per code per release."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from hcpcs.atomic import replacing
from hcpcs.claims.rules import forbidden_with
from hcpcs.page import noc_source

#: Columns holding lists: the record's list fields (docs/records.md) and the codes not to use with.
LIST_COLUMNS = ("pricing_indicators", "type_of_service", "conflicts")

if TYPE_CHECKING:
    import polars as pl

    from hcpcs.store import Store

#: Bumped whenever what a row holds changes, so a cached table of the old kind is not read.
TABLE_FORMAT = 4
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
                    "pricing_indicators": record.pricing_indicators,
                    "type_of_service": record.type_of_service,
                    "category": codebook.section(record.code, record.kind),
                    "noc": noc_source(store, record) is not None,
                    "replacement": replacements.get(record.code, "") if record.termination_date else "",
                    "conflicts": forbidden_with(record.long_description, codes),
                }
            )
    return rows


def _cache_file(store: Store) -> Path:
    """Where the table of this store's exact releases is kept between runs ($HCPCS_CACHE, else the
    user cache directory); tables of this store's earlier contents are removed, so one is kept."""
    from hcpcs import __version__
    from hcpcs.defaults import cache_directory

    releases = [(r.release, r.loaded_at) for r in store.releases()]
    signature = repr((releases, store.generation, __version__, TABLE_FORMAT, COLUMNS))
    of_store = hashlib.sha1(str(store.path.resolve()).encode()).hexdigest()[:16]
    cache = cache_directory() / f"codetable-{of_store}-{hashlib.sha1(signature.encode()).hexdigest()}.parquet"
    if not cache.exists():
        for stale in cache.parent.glob(f"codetable-{of_store}-*.parquet"):
            stale.unlink(missing_ok=True)
    return cache


def code_frame(store: Store, release: str | None = None) -> pl.DataFrame:
    """The code table as a polars frame (only one release's rows when `release` is given).

    Building it takes seconds (replacement chains, NOC lists); it is kept in the user cache
    directory for the store's exact set of releases, so later runs read it instead.
    """
    import polars as pl

    cache = _cache_file(store)
    try:
        frame = pl.read_parquet(cache)
    except (OSError, pl.exceptions.PolarsError):
        lists = dict.fromkeys(LIST_COLUMNS, pl.List(pl.String))
        schema = {name: pl.String for name in COLUMNS} | {"noc": pl.Boolean} | lists
        frame = pl.DataFrame(code_rows(store), schema=schema)
        frame = frame.with_columns(
            pl.col(name).str.to_date() for name in ("effective", "added_date", "termination_date")
        )
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            with replacing(cache) as partial:
                frame.write_parquet(partial)
        except OSError:
            pass  # an unwritable cache directory only costs the rebuild next time
    if release is not None:
        frame = frame.filter(pl.col("release") == store.resolve_release(release))
    return frame.sort("effective")
