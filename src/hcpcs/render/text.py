"""The code page on a terminal: each field's label, value, meaning and definition."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hcpcs.page import Code, contacts
from hcpcs.render import contact_lines, display, shown_fields, summary_rows

#: Width of the label column; the rest of 100 columns holds value, meaning and definition.
LABEL_WIDTH = 36


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", width=LABEL_WIDTH)
    grid.add_column(ratio=1)
    return grid


def code_renderable(code: Code) -> Panel:
    """A rich renderable of the whole page."""
    fields = _grid()
    for row in shown_fields(code):
        cell = Text(display(row.value), style="bold")
        if row.meaning:
            cell.append(f"  {row.meaning}", style="default")
        cell.append(f"\n{row.definition}", style="dim")
        fields.add_row(row.label, cell)
    summary = _grid()
    for label, value in summary_rows(code):
        summary.add_row(label, value)
    asks = Text(contacts()["heading"], style="bold")
    for line in contact_lines():
        asks.append(f"\n{line}", style="default")
    notices = [Text(f"Note: {notice}", style="yellow") for notice in code.notices]
    drug = []
    if code.drug:
        from hcpcs.render.drugs import drug_renderable

        drug = [drug_renderable(code.drug), Text("")]
    body = Group(
        Text(code.long_description or "", style="bold"), Text(""), *notices, *([Text("")] if notices else []),
        fields, Text(""), summary, Text(""), *drug, asks,
    )  # fmt: skip
    title = f"{code.code}  {code.short_description or ''}"
    return Panel(body, title=title, title_align="left", subtitle=f"HCPCS {code.release}")


def print_code(code: Code, console: Console | None = None) -> None:
    """Print the page, readable in 100 columns."""
    console = console or Console()
    if not console.is_terminal:
        console = Console(width=100)
    console.print(code_renderable(code))
