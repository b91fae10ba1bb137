"""Field-level differences between two releases, and a check of CMS's own change report."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from hcpcs.model import FIELD_NAMES, LIST_FIELDS

if TYPE_CHECKING:
    from hcpcs.store import Store

#: Fields that describe a change rather than being one; a diff leaves them out.
NOT_COMPARED = ("code", "release", "action_code", "action_effective_date")
COMPARED = tuple(name for name in FIELD_NAMES if name not in NOT_COMPARED)
_LISTS = frozenset(LIST_FIELDS)
#: The NEW release's action code, as the change type a diff groups codes by.
CHANGE_TYPES = {
    "A": "added",
    "D": "discontinued",
    "C": "long description",
    "B": "long description",
    "S": "short description",
    "P": "payment",
    "F": "coverage",
    "T": "miscellaneous",
    "R": "re-activated",
    "N": "marked no change",
}


@dataclass(slots=True)
class Diff:
    """What changed from one release to another, field by field."""

    old: str
    new: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    action_codes: dict[str, str | None] = field(default_factory=dict)  # the new release's, per code

    def to_dict(self) -> dict[str, Any]:
        """{"from", "to", "added", "removed", "changed": {code: {field: [old, new]}}}."""
        return {"from": self.old, "to": self.new, "added": self.added, "removed": self.removed, "changed": self.changed}

    def change_type(self, code: str) -> str:
        """The group a code falls in: its action code in the new release, or 'removed from the file'."""
        if code in self.removed:
            return "removed from the file"
        return CHANGE_TYPES.get(self.action_codes.get(code) or "", "other")

    def rows(self) -> list[dict[str, Any]]:
        """One row per code and field (added and removed codes have one row with field None)."""
        rows = []
        for code in self.added:
            rows.append({"code": code, "change": "added", "field": None, "old": None, "new": None})
        for code in self.removed:
            rows.append({"code": code, "change": "removed from the file", "field": None, "old": None, "new": None})
        for code, fields in self.changed.items():
            for name, (old, new) in fields.items():
                rows.append({"code": code, "change": self.change_type(code), "field": name, "old": old, "new": new})
        return rows


def _rows(store: Store, release: str) -> dict[str, tuple]:
    columns = ", ".join(("code", "action_code", *COMPARED))
    cursor = store.connection.execute(f"SELECT {columns} FROM codes WHERE release = ? ORDER BY code", (release,))
    return {row[0]: row[1:] for row in cursor}


def _value(name: str, raw: Any) -> Any:
    return json.loads(raw) if name in _LISTS else raw


def diff(store: Store, old: str, new: str) -> Diff:
    """Every canonical field that differs between two releases (action code and date left out)."""
    old, new = store.resolve_release(old), store.resolve_release(new)
    before, after = _rows(store, old), _rows(store, new)
    result = Diff(old, new)
    result.added = sorted(set(after) - set(before))
    result.removed = sorted(set(before) - set(after))
    for code, row in after.items():
        result.action_codes[code] = row[0]
        previous = before.get(code)
        if previous is None or previous[1:] == row[1:]:
            continue
        result.changed[code] = {
            name: [_value(name, a), _value(name, b)]
            for name, a, b in zip(COMPARED, previous[1:], row[1:], strict=True)
            if a != b
        }
    return result


@dataclass(frozen=True, slots=True)
class ReportDisagreement:
    """A code where CMS's change report and the data tell different stories."""

    code: str
    report_action: str | None  # CMS's words, or None when the report lacks the code
    report_action_code: str | None
    data: str  # what the data shows: 'added', 'unchanged', or the changed fields

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


def check_report(store: Store, result: Diff) -> list[ReportDisagreement]:
    """Where the new release's change report disagrees with the diff of the data.

    The report says a code was added (A), changed (any other code but N) or not changed (N);
    the data says added, changed (which fields) or unchanged.
    """
    report = {entry["code"]: entry for entry in store.change_report(result.new)}
    added = set(result.added)
    disagreements = []
    for code in sorted(set(result.action_codes) | set(report)):
        entry = report.get(code)
        action = entry["action_code"] if entry else None
        if code in added:
            data = "added"
            agrees = action == "A"
        elif code in result.changed:
            data = ", ".join(result.changed[code])
            agrees = action not in (None, "N", "A")
        else:
            data = "unchanged"
            agrees = action == "N"
        if not agrees:
            words = entry["action"] if entry else None
            disagreements.append(ReportDisagreement(code, words, action, data))
    return disagreements
