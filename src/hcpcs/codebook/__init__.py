"""The codebook: what every field is and what every value means, read from data files.

`codebook.json` holds the field labels and definitions and CMS's value tables (from
the CMS record layout, with the 2026 additions); `categories.csv` holds the HCPCS
Level II sections by code range. Both carry a note on their source.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

#: Shown for a value CMS's table does not list: never dropped, never guessed.
NOT_IN_TABLE = "not in the CMS code table"
MODIFIER_SECTION = "Modifiers"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of the record: its label as the model page writes it, its definition."""

    name: str
    label: str
    definition: str
    table: str | None


@dataclass(frozen=True, slots=True)
class Section:
    """A HCPCS Level II section: a code range and its name."""

    first: str
    last: str
    name: str


class Codebook:
    """Field labels and definitions, value tables and sections."""

    def __init__(self, data: dict, sections: list[Section]) -> None:
        self.source: str = data["source"]
        self.fields: list[FieldSpec] = [
            FieldSpec(f["name"], f["label"], f["definition"], f["table"]) for f in data["fields"]
        ]
        self.tables: dict[str, dict] = data["tables"]
        # Narrowest range first, so nested sections win over their letter's.
        self.sections = sorted(sections, key=lambda s: (_width(s), s.first))
        self._by_name = {f.name: f for f in self.fields}

    def field(self, name: str) -> FieldSpec:
        """The spec of one canonical field."""
        return self._by_name[name]

    def values(self, table: str) -> dict[str, str]:
        """Every value of a table with its meaning."""
        return self.tables[table]["values"]

    def meaning(self, table: str, value: str | None) -> str | None:
        """What a value means; NOT_IN_TABLE where CMS's table lacks it, the blank meaning for None."""
        entry = self.tables[table]
        if value is None:
            return entry.get("blank")
        meaning = entry["values"].get(value)
        if meaning is None:
            return NOT_IN_TABLE
        parent = entry.get("parents", {}).get(value)
        if parent:
            return f"{meaning} (under {parent} {entry['values'][parent]})"
        return meaning

    def section(self, code: str, kind: str) -> str | None:
        """The HCPCS Level II section a code belongs to (modifiers form their own)."""
        if kind == "modifier":
            return MODIFIER_SECTION
        for section in self.sections:
            if section.first <= code <= section.last:
                return section.name
        return None

    def to_dict(self) -> dict:
        """The codebook as JSON-ready data."""
        return {
            "source": self.source,
            "fields": [
                {"name": f.name, "label": f.label, "definition": f.definition, "table": f.table} for f in self.fields
            ],
            "tables": self.tables,
            "sections": [{"first": s.first, "last": s.last, "name": s.name} for s in self.sections],
        }


def _width(section: Section) -> int:
    return int(section.last[1:]) - int(section.first[1:])


@cache
def load_codebook() -> Codebook:
    """The codebook shipped in the package (read once)."""
    folder = files("hcpcs") / "codebook"
    data = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
    text = (folder / "categories.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO("".join(line for line in text.splitlines(True) if not line.startswith("#"))))
    sections = [Section(r["first"], r["last"], r["section"]) for r in rows if r["first"][0] == r["last"][0]]
    return Codebook(data, sections)
