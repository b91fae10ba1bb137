"""A diff between two releases in words: field labels, values written as people write them with
each coded value's meaning, the descriptions of added and removed codes, grouped by change kind
with counts. The server's diff page and `hcpcs diff`'s table both show this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hcpcs.codebook import Codebook, load_codebook
from hcpcs.model import DATE_FIELDS
from hcpcs.page import long_date

if TYPE_CHECKING:
    from hcpcs.history.diff import Diff
    from hcpcs.store import Store

#: Change kinds in the order a reader wants them, with a heading and what the kind means.
GROUPS = {
    "added": ("Added", "new in the newer release"),
    "discontinued": ("Discontinued", "CMS's action code D: a termination date was set"),
    "removed from the file": ("Removed from the file", "in the older release, not in the newer one"),
    "re-activated": ("Re-activated", "CMS's action code R"),
    "long description": ("Description changed", "CMS's action codes B and C: the long description changed"),
    "short description": ("Short description changed", "CMS's action code S"),
    "payment": ("Payment changed", "CMS's action code P: pricing, MOG, anesthesia units or ASC"),
    "coverage": ("Administrative data changed", "CMS's action code F: coverage and other data fields"),
    "miscellaneous": ("Other changes", "CMS's action code T: BETOS, type of service"),
    "marked no change": ("Changed, though marked 'no maintenance'", "fields differ while CMS's action code is N"),
    "other": ("Changed", "fields differ; no action code says why"),
}
NONE = "none"


@dataclass(slots=True)
class FieldChange:
    """One field of one code: its label, the old and new values in words, list items added and removed."""

    name: str
    label: str
    old: str
    new: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def text(self) -> str:
        """'Type Of Service Code: added R (Rental of DME)' or 'Coverage Code: C (...) → I (...)'."""
        if self.added or self.removed:
            parts = [f"added {', '.join(self.added)}"] * bool(self.added)
            parts += [f"removed {', '.join(self.removed)}"] * bool(self.removed)
            return f"{self.label}: {'; '.join(parts)}"
        return f"{self.label}: {self.old} → {self.new}"


@dataclass(slots=True)
class CodeChange:
    """A code in a group: its descriptions (the newer release's, the older one's if removed), its field changes."""

    code: str
    release: str
    short_description: str | None
    long_description: str | None
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(slots=True)
class ChangeGroup:
    """Codes that changed the same way."""

    kind: str
    title: str
    explanation: str
    codes: list[CodeChange] = field(default_factory=list)


def value_words(codebook: Codebook, name: str, value: object) -> str:
    """A field value as people write it: lists joined, dates in words, coded values with their meaning."""
    if value is None or value == []:
        return NONE
    if isinstance(value, list):
        return ", ".join(_one(codebook, name, item) for item in value)
    return _one(codebook, name, value)


def _one(codebook: Codebook, name: str, value: object) -> str:
    spec = codebook.field(name)
    if spec.table:
        return f"{value} ({codebook.meaning(spec.table, value)})"
    if name in DATE_FIELDS and isinstance(value, str):
        return long_date(value)
    return str(value)


def field_change(codebook: Codebook, name: str, old: object, new: object) -> FieldChange:
    """One field's change in words (list fields also as the items added and removed)."""
    change = FieldChange(
        name, codebook.field(name).label, value_words(codebook, name, old), value_words(codebook, name, new)
    )
    if isinstance(old, list) and isinstance(new, list) and set(old) & set(new):  # kept items: say what moved
        change.added = [_one(codebook, name, item) for item in new if item not in old]
        change.removed = [_one(codebook, name, item) for item in old if item not in new]
    return change


def diff_in_words(store: Store, result: Diff) -> list[ChangeGroup]:
    """The diff grouped by change kind (in GROUPS order), each code with its descriptions and changes."""
    codebook = load_codebook()
    groups = {kind: ChangeGroup(kind, title, explanation) for kind, (title, explanation) in GROUPS.items()}

    def described(code: str, release: str) -> CodeChange:
        record = store.record(code, release)
        short, long = (record.short_description, record.long_description) if record else (None, None)
        return CodeChange(code, release, short, long)

    for code in result.added:
        groups["added"].codes.append(described(code, result.new))
    for code in result.removed:
        groups["removed from the file"].codes.append(described(code, result.old))
    for code in sorted(result.changed):
        entry = described(code, result.new)
        entry.changes = [field_change(codebook, name, old, new) for name, (old, new) in result.changed[code].items()]
        kind = result.change_type(code)
        groups.setdefault(kind, ChangeGroup(kind, "Changed", "")).codes.append(entry)
    return [group for group in groups.values() if group.codes]
