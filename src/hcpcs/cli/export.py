"""`hcpcs export`: releases written in the formats other tools load."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Optional

import typer

from hcpcs.cli.app import _open_store, app, with_status
from hcpcs.errors import InputError


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
) -> None:
    """Export releases: JSON Lines, CSV, Parquet, a SQLite database, a FHIR Bundle, a static site."""
    from hcpcs.export import export as write

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
