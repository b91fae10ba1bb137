"""The code page as Markdown."""

from __future__ import annotations

from hcpcs.page import Code, contacts
from hcpcs.render import contact_lines, display, shown_fields, summary_rows


def _cell(text: object) -> str:
    return display(text).replace("|", "\\|").replace("\n", " ")


def code_markdown(code: Code) -> str:
    """A Markdown document: heading, long description, a table of every field, then the rest."""
    lines = [
        f"# {code.code}: {code.short_description or ''}",
        "",
        f"**{code.long_description or ''}**",
        "",
        *([f"> **Note:** {_cell(notice)}" for notice in code.notices] + [""] if code.notices else []),
        "| Field | Value | Meaning | Definition |",
        "|---|---|---|---|",
    ]
    for row in shown_fields(code):
        meaning = "" if row.meaning is None else _cell(row.meaning)
        lines.append(f"| {_cell(row.label)} | {_cell(row.value)} | {meaning} | {_cell(row.definition)} |")
    lines += ["", "| | |", "|---|---|"]
    lines += [f"| {_cell(label)} | {_cell(value)} |" for label, value in summary_rows(code)]
    if code.drug:
        from hcpcs.render.drugs import drug_markdown

        lines += drug_markdown(code.drug)
    lines += ["", f"## {contacts()['heading']}", ""] + [f"- {line}" for line in contact_lines()]
    return "\n".join(lines) + "\n"
