"""The Typer app and what every command shares: the store option, tables, output formats."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional, TypeVar

import typer

app = typer.Typer(
    help="The open HCPCS Level II reference: load CMS releases, look codes up, export them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

T = TypeVar("T")
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


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


def with_status(message: str, work: Callable[[Callable[[str], None] | None], T], *, until_update: bool = False) -> T:
    """`work(update)` under a spinner showing `message` on a terminal, where `update(text)`
    replaces the message; elsewhere `work(None)`, quietly. With `until_update`, the spinner
    waits for the first `update`, so work that turns out to be nothing shows nothing."""
    console = _stderr()
    if not console.is_terminal:
        return work(None)
    if not until_update:
        with console.status(message) as status:
            return work(status.update)
    status = console.status(message)
    shown = False

    def update(text: str) -> None:
        nonlocal shown
        if not shown:
            status.start()
            shown = True
        status.update(text)

    try:
        return work(update)
    finally:
        if shown:
            status.stop()


def warn_currency(currency: dict | None, revised: dict | None = None) -> None:
    """On stderr: that the answer's date is past the stored data, or that a later release changed it."""
    if currency and currency.get("beyond_latest_release"):
        typer.echo(f"warning: {currency['message']}", err=True)
    if revised:
        typer.echo(f"note: {revised['message']}", err=True)


def _print_table(title: str | None, columns: list[str], rows: list[list[object]]) -> None:
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


def _open_store(ctx: typer.Context, write: bool = False):
    """The store chosen by --db / $HCPCS_DB, else the default one (built on first use)."""
    from hcpcs.defaults import chosen_store_path, ensure_default_store
    from hcpcs.store import Store

    path, is_default = chosen_store_path(ctx.obj)
    if is_default:

        def build(update: Callable[[str], None] | None) -> None:
            ensure_default_store(
                None if update is None else lambda label: update(f"Loading bundled release {label}...")
            )

        # Quiet when the store is there: a spinner only once a bundled release is being loaded.
        with_status("Building the default store from the bundled releases...", build, until_update=path.exists())
    return Store(path, write=write)


def _print_version(asked: bool) -> None:
    if asked:
        from hcpcs import __version__

        typer.echo(f"hcpcs {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Optional[Path],
        typer.Option("--db", help="Store file to use (default: $HCPCS_DB, else the user data directory)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Options for every command."""
    ctx.obj = db
