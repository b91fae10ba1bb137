"""`hcpcs validate`: claim lines checked and enriched."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from hcpcs.cli.app import _open_store, _stderr, app


class Engine(StrEnum):
    polars = "polars"
    spark = "spark"


class ClaimFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"


@app.command()
def validate(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Claim lines: CSV, Parquet or JSON Lines.")],
    out: Annotated[
        Optional[Path], typer.Option(help="Where to write the checked lines (default: CSV on stdout).")
    ] = None,
    output_format: Annotated[Optional[ClaimFormat], typer.Option("--format", help="Output format.")] = None,
    release: Annotated[Optional[str], typer.Option(help="Judge every line by this release only.")] = None,
    engine: Annotated[Engine, typer.Option(help="polars on this machine, or spark.")] = Engine.polars,
    spark_master: Annotated[str, typer.Option(help="Spark master URL (with --engine spark).")] = "local[*]",
) -> None:
    """Check and enrich claim lines: validity on the date of service, replacements, modifiers, conflicts."""
    chosen_format = output_format.value if output_format else None
    if engine is Engine.spark:
        from hcpcs.claims.spark_engine import require_spark

        require_spark()
    with _open_store(ctx) as store:
        if engine is Engine.spark:
            from hcpcs.claims.spark_engine import validate_file_spark

            counts = validate_file_spark(store, path, out, chosen_format, release, spark_master)
        else:
            counts = _validate_polars(store, path, out, chosen_format, release)
    total = sum(counts.values())
    typer.echo(f"{total} lines: {counts['ok']} ok, {counts['warning']} warning, {counts['error']} error", err=True)
    if counts["error"]:
        raise typer.Exit(1)


def _validate_polars(store, path: Path, out: Path | None, out_format: str | None, release: str | None) -> dict:
    """The polars engine, with a progress bar when standard error is a terminal."""
    from hcpcs.claims.polars_engine import validate_file

    console = _stderr()
    if not console.is_terminal:
        return validate_file(store, path, out, None, out_format, release)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from hcpcs.claims.files import line_count, read_lines

    read_lines(path)  # a missing or empty file is reported before counting its lines
    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("lines", total=line_count(path))
        return validate_file(store, path, out, None, out_format, release, lambda done: progress.advance(task, done))
