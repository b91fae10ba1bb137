"""Commands that look codes up: show, search, codebook."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Optional

import typer

from hcpcs.cli.app import (
    PageFormat,
    TableOrJson,
    _open_store,
    _print_table,
    app,
    warn_currency,
)


@app.command()
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="A code (S9329) or modifier (LT), any case.")],
    release: Annotated[Optional[str], typer.Option(help="Release label YYYY-MM (default: the latest).")] = None,
    on: Annotated[Optional[str], typer.Option(help="As of this date of service (YYYY-MM-DD).")] = None,
    as_known_now: Annotated[
        bool, typer.Option("--as-known-now", help="Judge the date by the newest release (CMS's latest word).")
    ] = False,
    output_format: Annotated[PageFormat, typer.Option("--format", help="Output format.")] = PageFormat.text,
) -> None:
    """Show a code's page: every field with its value, meaning and definition."""
    from hcpcs.dates import parse_date

    with _open_store(ctx) as store:
        page = store.lookup(code, release, on=parse_date(on, "--on") if on else None, as_known_now=as_known_now)
    warn_currency(page.currency, page.revised_later)
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
    warn_currency(found.currency)
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
