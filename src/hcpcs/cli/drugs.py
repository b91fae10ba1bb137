"""Commands for Part B drug billing: price (a code's payment limit), ndc (an NDC's codes and units)."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Optional, TypeVar

import typer

from hcpcs.cli.app import _open_store, _print_table, app

T = TypeVar("T")
On = Annotated[Optional[str], typer.Option(help="The quarter covering this date (YYYY-MM-DD).")]
Quarter = Annotated[Optional[str], typer.Option(help="Drug quarter YYYY-MM (default: the newest).")]


class AnswerFormat(StrEnum):
    text = "text"
    json = "json"


def _answer(ctx: typer.Context, ask: Callable, on: str | None, quarter: str | None = None) -> object:
    """Ask the store; a missing answer is one line and exit status 1 (as an unknown code is)."""
    from hcpcs.dates import parse_date
    from hcpcs.drugs.answers import BadQuarterError
    from hcpcs.drugs.errors import DrugNotFoundError

    if on is not None and quarter is not None:
        raise BadQuarterError("give a date or a quarter, not both")

    with _open_store(ctx) as store:
        try:
            answer = ask(store, parse_date(on, "--on") if on else None)
        except DrugNotFoundError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
    if answer.choice.message:
        typer.echo(f"warning: {answer.choice.message}", err=True)
    return answer


def _money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.3f}"


def _percent(value: float) -> str:
    return f"{value:g}%"


@app.command()
def price(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="A Level II drug code (J0696), any case.")],
    on: On = None,
    quarter: Quarter = None,
    output_format: Annotated[AnswerFormat, typer.Option("--format", help="Output format.")] = AnswerFormat.text,
) -> None:
    """A drug code's Medicare Part B payment limit (dollars per billing unit) in a quarter."""
    answer = _answer(ctx, lambda store, date: store.price(code, on=date, quarter=quarter), on, quarter)
    if output_format is AnswerFormat.json:
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    choice = answer.choice
    lines = [
        f"{answer.code} · drug quarter {answer.quarter} ({choice.covers_from} to {choice.covers_until})",
        f"Payment limit: {_money(answer.payment_limit)} per {answer.dosage or 'billing unit'}",
        f"Billing unit: {answer.dosage or '—'}",
    ]
    shown = {
        "coinsurance_percentage": ("Co-insurance", _percent), "vaccine_awp_percentage": ("Vaccine AWP", _percent),
        "vaccine_limit": ("Vaccine limit", _money), "blood_awp_percentage": ("Blood AWP", _percent),
        "blood_limit": ("Blood limit", _money), "clotting_factor": ("Clotting factor", str), "notes": ("Notes", str),
    }  # fmt: skip
    lines += [f"{label}: {show(getattr(answer, name))}" for name, (label, show) in shown.items()
              if getattr(answer, name) is not None]  # fmt: skip
    typer.echo("\n".join(lines))


@app.command()
def ndc(
    ctx: typer.Context,
    ndc_code: Annotated[str, typer.Argument(metavar="NDC", help="11 digits (dashes or not), or 4-4-2, 5-3-2, 5-4-1.")],
    on: On = None,
    quarter: Quarter = None,
    output_format: Annotated[AnswerFormat, typer.Option("--format", help="Output format.")] = AnswerFormat.text,
) -> None:
    """The HCPCS codes an NDC package bills as, with billing units per item and per package."""
    answer = _answer(ctx, lambda store, date: store.ndc(ndc_code, on=date, quarter=quarter), on, quarter)
    if output_format is AnswerFormat.json:
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    choice = answer.choice
    _print_table(
        f"NDC {answer.ndc} · drug quarter {answer.quarter} ({choice.covers_from} to {choice.covers_until})",
        ["code", "short description", "drug", "labeler", "billing unit", "package", "units per item",
         "units per package"],
        [[m["code"], m["short_description"], m["drug_name"], m["labeler"], m["hcpcs_dosage"],
          f"{m['package_quantity']} × {m['package_size']}", m["billing_units_per_item"],
          m["billing_units_per_package"]] for m in answer.mappings],
    )  # fmt: skip


def _kind(kind: str) -> str:
    from hcpcs.drugs.kinds import KIND_NAMES

    return KIND_NAMES[kind]


def print_drug_loads(results: list, warnings: list[str]) -> None:
    """The drug quarter files a load stored (or found already stored), their notes, and the quirks
    met reading them (already few: the reader counts the rest of each kind)."""
    if not results:
        return
    _print_table(
        "Drug quarter files",
        ["quarter", "file", "rows", "Level I rows left out", "seconds", "status"],
        [[r.quarter, _kind(r.kind), r.rows, r.level_i_rows_left_out, f"{r.seconds:.2f}", r.status] for r in results],
    )
    for result in results:
        if result.note:
            typer.echo(f"{result.quarter}: {result.note}", err=True)
    for line in warnings:
        typer.echo(f"warning: {line}", err=True)


def print_drug_quarters(quarters: list) -> None:
    """The stored drug quarters, with each file's rows and sources."""
    if not quarters:
        return

    def sources(quarter) -> str:
        return "\n".join(
            f"{_kind(kind)}: {file} ({sha256[:12]}…)"
            for kind, stored in quarter.files.items() for file, sha256 in stored.sources
        )  # fmt: skip

    def rows(quarter, kind: str) -> str:
        stored = quarter.files.get(kind)
        return f"{stored.rows} (+{stored.level_i_rows} Level I left out)" if stored else "—"

    _print_table(
        "Drug quarters (ASP payment limits, NDC-HCPCS crosswalk)",
        ["quarter", "covers", "payment limits", "crosswalk NDC rows", "sources (sha256)"],
        [[q.quarter, f"{q.effective_from} to {q.effective_until}", rows(q, "payment_limits"), rows(q, "crosswalk"),
          sources(q)] for q in quarters],
    )  # fmt: skip


def export_drug_table(
    ctx: typer.Context, table: str, file_format: str, quarter: str | None, every: bool, release: str | None, out: str
) -> None:
    """`hcpcs export --drugs TABLE`: the drug table of a quarter (or every quarter) as CSV, JSONL or Parquet."""
    from hcpcs.cli.app import with_status
    from hcpcs.errors import InputError
    from hcpcs.export.drugs import TABLES, export_drugs, quarters_of

    if release:
        raise InputError("--release", None, "names an HCPCS release; with --drugs give --quarter")
    if every and quarter:
        raise InputError("--quarter", None, "give --quarter or --all-releases, not both")
    with _open_store(ctx) as store:
        quarters = quarters_of(store, TABLES[table], quarter, every)
        count = with_status(
            f"Writing {file_format} of the {table} of {', '.join(quarters)}...",
            lambda _: export_drugs(store, table, file_format, quarters, out),
        )
    typer.echo(f"{table} of {', '.join(quarters)}: {count} rows written to {out}", err=True)
