"""The `hcpcs` command line: thin over the Python API (parse, call, render)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from hcpcs.errors import HcpcsError, UnknownCodeError

app = typer.Typer(
    help="The open HCPCS Level II reference: load CMS releases, look codes up, export them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: How many workbook/text disagreements `load` prints before summing up the rest.
WARNINGS_SHOWN = 5
#: Table width when output goes to a pipe or file rather than a terminal.
PIPED_WIDTH = 200


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


class PageFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


class TableCsvJson(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    jsonl = "jsonl"


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


def _print_table(title: str, columns: list[str], rows: list[list[object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=PIPED_WIDTH)  # piped output is not cut to 80 columns
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def _print_loaded(title: str, results: list) -> None:
    _print_table(
        title,
        ["release", "effective date", "procedures", "modifiers", "seconds", "status"],
        [[r.release, r.effective_date, r.procedures, r.modifiers, f"{r.seconds:.2f}", r.status] for r in results],
    )


def _open_store(ctx: typer.Context, write: bool = False):
    """The store chosen by --db / $HCPCS_DB, else the default one (built on first use)."""
    from hcpcs.defaults import chosen_store_path, ensure_default_store
    from hcpcs.store import Store

    path, is_default = chosen_store_path(ctx.obj)
    if is_default:
        console = _stderr()
        if console.is_terminal:
            with console.status("Building the default store from the bundled releases...") as status:
                ensure_default_store(lambda label: status.update(f"Loading bundled release {label}..."))
        else:
            ensure_default_store()
    return Store(path, write=write)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Optional[Path],
        typer.Option("--db", help="Store file to use (default: $HCPCS_DB, else the user data directory)."),
    ] = None,
) -> None:
    """Options for every command."""
    ctx.obj = db


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
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="A code (S9329) or modifier (LT), any case.")],
    release: Annotated[Optional[str], typer.Option(help="Release label YYYY-MM (default: the latest).")] = None,
    on: Annotated[Optional[str], typer.Option(help="As of this date of service (YYYY-MM-DD).")] = None,
    output_format: Annotated[PageFormat, typer.Option("--format", help="Output format.")] = PageFormat.text,
) -> None:
    """Show a code's page: every field with its value, meaning and definition."""
    from hcpcs.dates import parse_date

    with _open_store(ctx) as store:
        page = store.lookup(code, release, on=parse_date(on, "--on") if on else None)
    if output_format is PageFormat.json:
        typer.echo(json.dumps(page.to_dict(), indent=2, ensure_ascii=False))
    elif output_format is PageFormat.markdown:
        from hcpcs.render.markdown import code_markdown

        typer.echo(code_markdown(page), nl=False)
    elif output_format is PageFormat.html:
        from hcpcs.render.html import code_html

        typer.echo(code_html(page))
    else:
        from hcpcs.render.text import print_code

        print_code(page)


class Kind(StrEnum):
    procedure = "procedure"
    modifier = "modifier"


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words, a code, a code prefix (L18) or a range (A4206-A4210).")],
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many results.")] = 10,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many results first.")] = 0,
    release: Annotated[Optional[str], typer.Option(help="Release label YYYY-MM (default: the latest).")] = None,
    on: Annotated[Optional[str], typer.Option(help="Codes in force on this date (YYYY-MM-DD).")] = None,
    kind: Annotated[Optional[Kind], typer.Option(help="Only procedures or only modifiers.")] = None,
    letter: Annotated[Optional[str], typer.Option(help="Only codes starting with this letter.")] = None,
    category: Annotated[Optional[str], typer.Option(help="Only this section (see `hcpcs codebook`).")] = None,
    coverage: Annotated[Optional[str], typer.Option(help="Only this coverage code (C, D, I, M, S).")] = None,
    betos: Annotated[Optional[str], typer.Option(help="Only this BETOS code (e.g. D1E).")] = None,
    include_terminated: Annotated[bool, typer.Option(help="Also codes terminated by the date.")] = False,
    output_format: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """Search codes as a coder would: words, lay terms, brand names, typos, codes and ranges."""
    from hcpcs.dates import parse_date

    with _open_store(ctx) as store:
        found = store.search(
            query,
            limit=limit,
            offset=offset,
            release=release,
            on=parse_date(on, "--on") if on else None,
            kind=kind.value if kind else None,
            letter=letter,
            category=category,
            coverage=coverage,
            betos=betos,
            include_terminated=include_terminated,
        )
    if output_format is TableOrJson.json:
        typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return
    if found.results:
        _print_table(
            f"{found.total} result(s) for {query!r} in release {found.release}",
            ["code", "short description", "status", "score"],
            [[h.code, h.short_description, h.status, f"{h.score:.2f}"] for h in found.results],
        )
    else:
        typer.echo(f"no results for {query!r} in release {found.release}", err=True)
    if found.hint:
        typer.echo(f"hint: {found.hint}", err=True)


def _write_csv(rows: list[dict], columns: list[str]) -> None:
    import csv

    writer = csv.DictWriter(sys.stdout, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()})


@app.command()
def diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The older release label (YYYY-MM).")],
    new: Annotated[str, typer.Argument(help="The newer release label (YYYY-MM).")],
    check_report: Annotated[
        bool, typer.Option("--check-report", help="List where CMS's change report disagrees with the data.")
    ] = False,
    output_format: Annotated[TableCsvJson, typer.Option("--format", help="Output format.")] = TableCsvJson.table,
) -> None:
    """What changed between two releases, field by field."""
    from hcpcs.history.diff import check_report as check

    with _open_store(ctx) as store:
        result = store.diff(old, new)
        disagreements = check(store, result) if check_report else None
    if disagreements is not None:
        rows = [d.to_dict() for d in disagreements]
        if output_format is TableCsvJson.json:
            typer.echo(json.dumps({"from": result.old, "to": result.new, "disagreements": rows}, indent=2))
        elif output_format is TableCsvJson.csv:
            _write_csv(rows, ["code", "report_action", "report_action_code", "data"])
        else:
            _print_table(
                f"{len(rows)} codes where the {result.new} change report and the data disagree",
                ["code", "report says", "data shows"],
                [[r["code"], r["report_action"] or "(not in the report)", r["data"]] for r in rows],
            )
        return
    if output_format is TableCsvJson.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif output_format is TableCsvJson.csv:
        _write_csv(result.rows(), ["code", "change", "field", "old", "new"])
    else:
        rows = sorted(result.rows(), key=lambda r: (r["change"], r["code"]))
        _print_table(
            f"{result.old} -> {result.new}: {len(result.added)} added, {len(result.removed)} removed, "
            f"{len(result.changed)} changed",
            ["change", "code", "field", "old", "new"],
            [[r["change"], r["code"], r["field"] or "", _shown(r["old"]), _shown(r["new"])] for r in rows],
        )


def _shown(value: object) -> str:
    if value is None:
        return ""
    return ", ".join(value) if isinstance(value, list) else str(value)


@app.command()
def history(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="A code (S9329) or modifier (LT), any case.")],
    output_format: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """A code's timeline: releases, field changes, termination, leaving the file, reuse."""
    with _open_store(ctx) as store:
        line = store.history(code)
        chain = store.replacements(line.code)
    if output_format is TableOrJson.json:
        typer.echo(json.dumps({**line.to_dict(), "replacements": chain.to_dict()}, indent=2, ensure_ascii=False))
        return
    if not line.releases:
        raise UnknownCodeError(line.code, "any stored release", [])
    _print_table(
        f"{line.code}: in {', '.join(line.releases)}; added {line.added_date}; "
        f"terminated {line.termination_date or '-'}",
        ["release", "event", "detail"],
        [[e.release, e.kind, e.detail] for e in line.events],
    )
    if chain.replacements:
        typer.echo(f"replaced by: {', '.join(chain.replacements)}" + (" (ambiguous)" if chain.ambiguous else ""))


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

    console = _stderr()
    with _open_store(ctx, write=True) as store:
        if console.is_terminal:
            with console.status("Looking for new releases...") as status:
                report = run_update(store, source, status.update)
        else:
            report = run_update(store, source)
    for name in report.already_stored:
        typer.echo(f"already stored: {name}", err=True)
    for line in report.skipped:
        typer.echo(f"skipped: {line}", err=True)
    if report.loaded:
        _print_loaded(f"Loaded from {report.source}", report.loaded)
    else:
        typer.echo(f"no new releases at {report.source}", err=True)


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
    with _open_store(ctx) as store:
        if engine is Engine.spark:
            from hcpcs.claims.spark_engine import validate_file_spark

            result = validate_file_spark(store, path, out, chosen_format, release, spark_master)
        else:
            from hcpcs.claims.polars_engine import validate_file

            result = validate_file(store, path, out, None, chosen_format, release)
    counts = {status: result.filter(result["status"] == status).height for status in ("ok", "warning", "error")}
    typer.echo(
        f"{result.height} lines: {counts['ok']} ok, {counts['warning']} warning, {counts['error']} error", err=True
    )
    if counts["error"]:
        raise typer.Exit(1)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (each reads the store).")] = 1,
) -> None:
    """Serve the REST API, NLM-compatible search, FHIR terminology and web pages over HTTP."""
    import os

    import uvicorn

    with _open_store(ctx) as store:  # builds the default store if needed; checks the file
        path = store.path
    os.environ["HCPCS_SERVE_DB"] = str(path.resolve())
    typer.echo(f"serving {path} on http://{host}:{port}/ (API docs at /docs)", err=True)
    uvicorn.run("hcpcs.web.serve:app", host=host, port=port, workers=workers, log_level="warning")


@app.command()
def codebook(
    output_format: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """List every field with its label and definition, and CMS's value tables."""
    from hcpcs.codebook import load_codebook

    book = load_codebook()
    if output_format is TableOrJson.json:
        typer.echo(json.dumps(book.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_table(
        "Fields",
        ["field", "label", "value table", "definition"],
        [[f.name, f.label, f.table or "", f.definition] for f in book.fields],
    )
    for name in sorted(book.tables):
        _print_table(f"Table {name}", ["value", "meaning"], list(map(list, book.values(name).items())))


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


def main() -> None:
    """Run the CLI; errors become one line on stderr and exit status 2."""
    try:
        app()
    except UnknownCodeError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
    except HcpcsError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
