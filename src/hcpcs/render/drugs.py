"""The drug part of a code page as text rows, Markdown and a rich renderable (the HTML is the
template `_drugs.html`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hcpcs.drugs.section import DrugSection

_LABELS = (
    ("coinsurance_percentage", "Co-insurance", "{:g}%"), ("vaccine_awp_percentage", "Vaccine AWP", "{:g}%"),
    ("vaccine_limit", "Vaccine limit", "${:,.3f}"), ("blood_awp_percentage", "Blood AWP", "{:g}%"),
    ("blood_limit", "Blood limit", "${:,.3f}"), ("clotting_factor", "Clotting factor", "{}"), ("notes", "Notes", "{}"),
)  # fmt: skip


def money(value: float | None) -> str:
    """Dollars as CMS gives them (three decimals), '—' for none."""
    return "—" if value is None else f"${value:,.3f}"


def heading(section: DrugSection) -> str:
    """The section's title line: which quarter answers."""
    if section.quarter is None:
        return "Medicare Part B drug billing"
    covers = f"{section.covers_from} to {section.covers_until}"
    return f"Medicare Part B drug billing · ASP quarter {section.quarter} ({covers})"


def drug_rows(section: DrugSection) -> list[tuple[str, str]]:
    """(label, value) rows: billing unit, payment limit and its terms, the limits by quarter."""
    rows = [("Billing unit", section.billing_unit or "—")]
    price = section.payment_limit
    if price is None:
        rows.append(("Payment limit", f"none in quarter {section.quarter}" if section.quarter else "—"))
    else:
        rows.append(("Payment limit", f"{money(price['payment_limit'])} per {price['dosage'] or 'billing unit'}"))
        rows += [(label, form.format(price[name])) for name, label, form in _LABELS if price[name] is not None]
    if section.history:
        limits = " · ".join(f"{h['quarter']} {money(h['payment_limit'])}" for h in section.history)
        rows.append(("Payment limit by quarter", limits))
    if section.message:
        rows.append(("Note", section.message))
    return rows


PACKAGE_HEADER = ("NDC", "Drug", "Labeler", "Package", "Billing units per item", "Billing units per package")


def package_rows(section: DrugSection) -> list[tuple[str, ...]]:
    """One row per NDC package of the quarter's crosswalk."""
    return [
        (p["ndc"] or p["product_id"], p["drug_name"] or "", p["labeler"] or "",
         f"{p['package_quantity']} × {p['package_size']}", str(p["billing_units_per_item"]),
         str(p["billing_units_per_package"]))
        for p in section.packages
    ]  # fmt: skip


def drug_markdown(section: DrugSection) -> list[str]:
    """The section as Markdown lines."""

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["", f"## {heading(section)}", "", "| | |", "|---|---|"]
    lines += [f"| {cell(label)} | {cell(value)} |" for label, value in drug_rows(section)]
    if section.packages:
        lines += ["", f"NDC packages in the crosswalk of quarter {section.quarter}:", ""]
        lines += ["| " + " | ".join(PACKAGE_HEADER) + " |", "|" + "---|" * len(PACKAGE_HEADER)]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in package_rows(section)]
    return lines


def drug_renderable(section: DrugSection):
    """The section for a terminal (rich)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold cyan", width=36)
    facts.add_column(ratio=1)
    for label, value in drug_rows(section):
        facts.add_row(label, value)
    parts = [Text(heading(section), style="bold"), facts]
    if section.packages:
        packages = Table(title=f"NDC packages ({len(section.packages)})", title_justify="left", box=None)
        for name in PACKAGE_HEADER:
            packages.add_column(name, overflow="fold")
        for row in package_rows(section):
            packages.add_row(*row)
        parts.append(packages)
    return Group(*parts)
