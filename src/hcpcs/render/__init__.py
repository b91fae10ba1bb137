"""Renderers of code pages: text (rich), Markdown and standalone HTML."""

from __future__ import annotations

from hcpcs.page import Code, contacts, describe_last_update, shown_fields


def summary_rows(code: Code) -> list[tuple[str, str]]:
    """What the page adds to the record's fields: status, section, NOC, note, references, provenance."""
    status = code.status
    if code.status_date:
        verb = {"Terminated": "since", "Not yet effective": "until"}.get(code.status, "terminates")
        status = f"{status} ({verb} {code.status_date})"
    rows = [
        ("Status", status),
        ("Category", code.category or "unknown section"),
        ("Not otherwise classified", f"yes ({code.noc_source})" if code.noc else "no"),
    ]
    if code.processing_note:
        note = code.processing_note_text or "not in the processing notes file"
        if code.processing_note_release and code.processing_note_release != code.release:
            note += f" (processing notes of release {code.processing_note_release})"
        rows.append((f"Processing Note {code.processing_note}", note))
    for reference in code.references:
        rows.append((f"Cross reference {reference.code}", reference.short_description or "not in any loaded release"))
    if code.replaced_by:
        note = " (ambiguous: choose one)" if code.replacement_ambiguous else ""
        rows.append(("Replaced by", ", ".join(code.replaced_by) + note))
    if code.last_updated:
        rows.append(("Last updated", describe_last_update(code.last_updated)))
    rows.append(("Release", code.release or ""))
    rows.append(("Source file", code.source_file or ""))
    return rows


def contact_lines() -> list[str]:
    """Where to ask about a code, one line each, in the model page's words (for text and Markdown)."""
    return [f"{c['text']} ({c['for']})" for c in contacts()["contacts"]]


def display(value: object) -> str:
    """A field value as text: '—' for none."""
    return "—" if value is None else str(value)


__all__ = ["contact_lines", "display", "shown_fields", "summary_rows"]
