"""`hcpcs export`: releases written in the formats other tools load."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Optional

import typer

from hcpcs.cli.app import _open_store, app, with_status
from hcpcs.errors import InputError


class DrugTable(StrEnum):
    payment_limits = "payment-limits"
    crosswalk = "crosswalk"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    sqlite = "sqlite"
    fhir = "fhir"
    site = "site"


@app.command()
def export(
    ctx: typer.Context,
    output_format: Annotated[ExportFormat, typer.Option("--format", help="Export format.")] = ExportFormat.jsonl,
    release: Annotated[Optional[str], typer.Option(help="Release label YYYY-MM (default: the latest).")] = None,
    all_releases: Annotated[bool, typer.Option("--all-releases", help="Every stored release (not for site).")] = False,
    out: Annotated[
        str, typer.Option("--out", help="Output file (a directory for site), or - for standard output.")
    ] = "-",
    with_meanings: Annotated[
        bool, typer.Option("--with-meanings", help="CSV, JSONL, Parquet: add <field>_meaning columns.")
    ] = False,
    drugs: Annotated[
        Optional[DrugTable], typer.Option("--drugs", help="A drug table instead of releases (csv, jsonl, parquet).")
    ] = None,
    quarter: Annotated[
        Optional[str], typer.Option(help="With --drugs: drug quarter YYYY-MM (default: the newest).")
    ] = None,
) -> None:
    """Export releases: JSON Lines, CSV, Parquet, a SQLite database, a FHIR Bundle, a static site."""
    from hcpcs.export import export as write

    if drugs is not None:
        from hcpcs.cli.drugs import export_drug_table

        return export_drug_table(ctx, drugs.value, output_format.value, quarter, all_releases, release, out)

    if all_releases and release:
        raise InputError("--release", None, "give --release or --all-releases, not both")
    with _open_store(ctx) as store:
        labels = store.release_labels() if all_releases else [store.resolve_release(release)]
        count = with_status(
            f"Writing {output_format.value} of {', '.join(labels)}...",
            lambda _: write(store, output_format.value, labels, out, with_meanings),
        )
    what = "pages" if output_format is ExportFormat.site else "records"
    typer.echo(f"{', '.join(labels)}: {count} {what} written to {out}", err=True)
