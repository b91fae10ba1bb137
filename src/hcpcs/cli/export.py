"""`hcpcs export`: releases written in the formats other tools load."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from hcpcs.cli.app import (
    _open_store,
    app,
)
from hcpcs.errors import HcpcsError


class ExportFormat(StrEnum):
    jsonl = "jsonl"


@app.command()
def export(
    ctx: typer.Context,
    output_format: Annotated[ExportFormat, typer.Option("--format", help="Export format.")] = ExportFormat.jsonl,
    release: Annotated[Optional[str], typer.Option(help="Release label YYYY-MM (default: the latest).")] = None,
    out: Annotated[str, typer.Option("--out", help="Output file, or - for standard output.")] = "-",
) -> None:
    """Export a release's canonical records."""
    from hcpcs.export.jsonl import write_jsonl

    with _open_store(ctx) as store:
        label = store.resolve_release(release)
        if out == "-":
            write_jsonl(store, label, sys.stdout)
            return
        target = Path(out)
        temporary = target.with_name(f".{target.name}.partial")
        try:
            with temporary.open("w", encoding="utf-8", newline="\n") as stream:
                count = write_jsonl(store, label, stream)
            temporary.replace(target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise HcpcsError(f"{out}: cannot write ({error.strerror})") from None
    typer.echo(f"{label}: {count} records written to {out}", err=True)
