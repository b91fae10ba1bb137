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
    strict: Annotated[
        bool, typer.Option(help="Refuse a file with any value that does not fit its field (default: warn, keep raw).")
    ] = False,
    output_format: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """Load official CMS release files (and Part B drug files) into the store, one transaction per release."""
    from hcpcs.cli.drugs import print_drug_loads

    with _open_store(ctx, write=True) as store:
        report = store.load_report(paths, release=release, replace=replace, strict=strict)
        anomalies = {r.release: store.anomalies(r.release) for r in report.results if r.anomalies}
        warnings = {r.release: store.load_warnings(r.release) for r in report.results if r.warnings}
        drug_warnings = [line for r in report.drugs if r.warnings for line in store.drugs.warnings(r.quarter, r.kind)]
    results = report.results
    if output_format is TableOrJson.json:
        outcomes = [r.to_dict() for r in (*results, *report.drugs, *report.refused)]
        typer.echo(json.dumps(outcomes, indent=2))
    else:
        if results or not report.drugs:
            _print_loaded("Loaded", results)
        print_drug_loads(report.drugs, drug_warnings)
    for result in results:
        if result.note:
            typer.echo(f"{result.release}: {result.note}", err=True)
        for line in result.ignored:
            typer.echo(f"{result.release}: ignored {line}", err=True)
    for line in report.stray:
        typer.echo(f"ignored: {line}", err=True)
    for lines in anomalies.values():
        for anomaly in lines:
            typer.echo(f"warning: {anomaly['file']}:{anomaly['place']}: {anomaly['problem']}", err=True)
    for label, lines in warnings.items():
        for line in lines[:WARNINGS_SHOWN]:
            typer.echo(f"warning: {line}", err=True)
        if len(lines) > WARNINGS_SHOWN:
            typer.echo(
                f"warning: {len(lines) - WARNINGS_SHOWN} more notes on {label}; `hcpcs warnings {label}` lists all",
                err=True,
            )
    for refused in report.refused:
        typer.echo(f"error: {refused.release or 'a release'} refused: {refused.error}", err=True)
    if report.refused:
        raise typer.Exit(2)


@app.command()
def releases(
    ctx: typer.Context,
    files: Annotated[bool, typer.Option("--files", help="Also list every file of each release and its part.")] = False,
    output_format: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """List the stored releases and drug quarters, oldest first, with their source files and CMS's corrections."""
    from hcpcs.cli.drugs import print_drug_quarters
    from hcpcs.page import correction_line

    with _open_store(ctx) as store:
        stored = store.releases()
        corrections = {r.release: store.corrections(r.release) for r in stored}
        members = {r.release: store.members(r.release) for r in stored}
        anomalies = {r.release: len(store.anomalies(r.release)) for r in stored}
        quarters = store.drug_quarters()
    if output_format is TableOrJson.json:
        rows = [
            {**r.to_dict(), "corrections": corrections[r.release], "files": members[r.release],
             "anomalies": anomalies[r.release]}
            for r in stored
        ]  # fmt: skip
        listed = {"releases": rows, "drug_quarters": [q.to_dict() for q in quarters]}
        typer.echo(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    _print_table(
        "Releases",
        ["release", "effective date", "procedures", "modifiers", "corrections", "loaded at", "sources (sha256)"],
        [
            [
                r.release,
                r.effective_date,
                r.procedures,
                r.modifiers,
                len(corrections[r.release]),
                r.loaded_at,
                "\n".join(f"{s.file} ({s.sha256[:12]}…)" for s in r.sources),
            ]
            for r in stored
        ],
    )
    listed = [
        [c["code"], correction_line({**c, "release": label})] for label, rows in corrections.items() for c in rows
    ]
    if listed:
        _print_table("CMS corrections", ["code", "correction"], listed)
    if files:
        _print_table(
            "Files",
            ["release", "file", "read as", "bytes"],
            [[label, m["file"], m["role"], m["bytes"]] for label, rows in members.items() for m in rows],
        )
    print_drug_quarters(quarters)


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
    """List the values of a release that did not fit their fields (kept raw), and where its workbook
    disagreed with its (authoritative) text file."""
    with _open_store(ctx) as store:
        anomalies = store.anomalies(release)
        lines = store.load_warnings(release)
    for anomaly in anomalies:
        typer.echo(
            f"{anomaly['file']}:{anomaly['place']}: {anomaly['problem']} (code {anomaly['code']}: field left blank)"
        )
    for line in lines:
        typer.echo(line)
    if not lines and not anomalies:
        typer.echo(f"{release}: no disagreements recorded", err=True)
