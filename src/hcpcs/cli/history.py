"""Commands over releases through time: diff, history."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from hcpcs.cli.app import (
    TableCsvJson,
    TableOrJson,
    _open_store,
    _print_table,
    app,
)


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
        store_path = store.path
    if result.old > result.new:  # labels are YYYY-MM: text order is time order
        typer.echo(
            f"warning: {result.old} is newer than {result.new}: these are the changes going back in time "
            f"(the older release goes first: hcpcs diff {result.new} {result.old})",
            err=True,
        )
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
        _print_diff_table(store_path, result)


def _print_diff_table(store_path, result) -> None:
    """The diff in words: grouped by change kind with counts, descriptions, labels, values with meanings."""
    from hcpcs.render.diff import diff_in_words
    from hcpcs.store import Store

    with Store(store_path) as store:
        groups = diff_in_words(store, result)
    totals = f"{len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed"
    kinds = "; ".join(f"{group.title.lower()}: {len(group.codes)}" for group in groups)
    rows = [
        [group.title, entry.code, entry.short_description or "",
         "\n".join(change.text() for change in entry.changes) or (entry.long_description or "")]
        for group in groups
        for entry in group.codes
    ]  # fmt: skip
    title = f"{result.old} -> {result.new}: {totals}" + (f" ({kinds})" if kinds else "")
    _print_table(title, ["change", "code", "description", "what changed"], rows)


@app.command()
def history(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="A code (S9329) or modifier (LT), any case.")],
    output_format: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """A code's timeline: releases, field changes, termination, leaving the file, reuse."""
    from hcpcs.lookup import unknown_code

    with _open_store(ctx) as store:
        line = store.history(code)
        if not line.releases:
            raise unknown_code(store, line.code, None)
        chain = store.replacements(line.code)
    if output_format is TableOrJson.json:
        typer.echo(json.dumps({**line.to_dict(), "replacements": chain.to_dict()}, indent=2, ensure_ascii=False))
        return
    typer.echo(_summary(line))
    _print_table(None, ["release", "event", "detail"], [[e.release, e.kind, e.detail] for e in line.events])
    if chain.replacements:
        typer.echo(f"replaced by: {', '.join(chain.replacements)}" + (" (ambiguous)" if chain.ambiguous else ""))


def _summary(line) -> str:
    """`C9034: added 2018-10-01, terminated 2018-12-31; in 5 releases, 2019-01 to 2020-10`."""
    ended = f"terminated {line.termination_date}" if line.termination_date else "not terminated"
    first, last, count = line.releases[0], line.releases[-1], len(line.releases)
    held = f"in release {first}" if count == 1 else f"in {count} releases, {first} to {last}"
    return f"{line.code}: added {line.added_date or 'on no stated date'}, {ended}; {held}"
