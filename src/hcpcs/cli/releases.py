"""Commands that load and list releases: load, releases, update, warnings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from hcpcs.cli.app import (
    TableOrJson,
    _open_store,
    _print_table,
    app,
    with_status,
)

#: How many workbook/text disagreements `load` prints before summing up the rest.
WARNINGS_SHOWN = 5


def _print_loaded(title: str, results: list) -> None:
    _print_table(
        title,
        ["release", "effective date", "procedures", "modifiers", "seconds", "status"],
        [[r.release, r.effective_date, r.procedures, r.modifiers, f"{r.seconds:.2f}", r.status] for r in results],
    )


@app.command()
def load(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="CMS release zips, folders, text files or workbooks.")],
    release: Annotated[Optional[str], typer.Option(help="Release label YYYY-MM (default: from the names).")] = None,
    replace: Annotated[bool, typer.Option(help="Replace a release already stored from other files.")] = False,
    output_format: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """Load official CMS release files into the store, one transaction per release."""
    with _open_store(ctx, write=True) as store:
        results = store.load(paths, release=release, replace=replace)
        warnings = {r.release: store.load_warnings(r.release) for r in results if r.warnings}
    if output_format is TableOrJson.json:
        typer.echo(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        _print_loaded("Loaded", results)
        for result in results:
            if result.note:
                typer.echo(f"{result.release}: {result.note}", err=True)
    for label, lines in warnings.items():
        for line in lines[:WARNINGS_SHOWN]:
            typer.echo(f"warning: {line}", err=True)
        if len(lines) > WARNINGS_SHOWN:
            typer.echo(
                f"warning: {len(lines) - WARNINGS_SHOWN} more disagreements in {label}; "
                f"`hcpcs warnings {label}` lists them all",
                err=True,
            )


@app.command()
def releases(
    ctx: typer.Context,
    output_format: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """List the stored releases, oldest first, with their source files."""
    with _open_store(ctx) as store:
        stored = store.releases()
    if output_format is TableOrJson.json:
        typer.echo(json.dumps([r.to_dict() for r in stored], indent=2))
        return
    _print_table(
        "Releases",
        ["release", "effective date", "procedures", "modifiers", "loaded at", "sources (sha256)"],
        [
            [
                r.release,
                r.effective_date,
                r.procedures,
                r.modifiers,
                r.loaded_at,
                "\n".join(f"{s.file} ({s.sha256[:12]}…)" for s in r.sources),
            ]
            for r in stored
        ],
    )


@app.command()
def update(
    ctx: typer.Context,
    source: Annotated[
        Optional[str],
        typer.Option("--from", help="A folder, or a web page linking release zips (default: CMS's quarterly page)."),
    ] = None,
) -> None:
    """Load release files that are not in the store yet, from CMS's page, a mirror or a folder."""
    from hcpcs.history.update import update as run_update

    with _open_store(ctx, write=True) as store:
        report = with_status("Looking for new releases...", lambda update: run_update(store, source, update))
    for fate in report.fates:  # every file or link: loaded, already stored, or skipped with why
        typer.echo(fate.line(), err=True)
    if report.loaded:
        _print_loaded(f"Loaded from {report.source}", report.loaded)
    else:
        typer.echo(f"no new releases at {report.source}", err=True)


@app.command()
def warnings(
    ctx: typer.Context,
    release: Annotated[str, typer.Argument(help="Release label YYYY-MM.")],
) -> None:
    """List where a release's workbook disagreed with its (authoritative) text file."""
    with _open_store(ctx) as store:
        lines = store.load_warnings(release)
    for line in lines:
        typer.echo(line)
    if not lines:
        typer.echo(f"{release}: no disagreements recorded", err=True)
