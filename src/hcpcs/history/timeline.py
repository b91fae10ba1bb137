"""A code's timeline: every release it appears in, every field change, termination, leaving, reuse."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from hcpcs.history.diff import COMPARED

if TYPE_CHECKING:
    from hcpcs.model import CodeRecord
    from hcpcs.store import Store


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a code, in the release where it showed."""

    release: str
    kind: str  # first seen, changed, terminated, left the file, reappeared, reused
    detail: str
    changes: dict[str, list[Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"release": self.release, "event": self.kind, "detail": self.detail, "changes": self.changes}


@dataclass(slots=True)
class Timeline:
    """A code across every stored release."""

    code: str
    releases: list[str]  # the releases that hold it, oldest first
    added_date: str | None
    termination_date: str | None
    events: list[Event]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {**asdict(self), "events": [event.to_dict() for event in self.events]}


def _changes(before: CodeRecord, after: CodeRecord) -> dict[str, list[Any]]:
    return {
        name: [getattr(before, name), getattr(after, name)]
        for name in COMPARED
        if getattr(before, name) != getattr(after, name)
    }


def timeline(store: Store, code: str) -> Timeline:
    """Every release a code appears in and what changed, release by release."""
    from hcpcs.lookup import normalize_code

    code = normalize_code(code)
    labels = store.release_labels()
    holding = store.releases_holding(code)
    records = {label: record for label in holding if (record := store.record(code, label)) is not None}
    events: list[Event] = []
    previous: CodeRecord | None = None
    gap = False
    for label in labels:
        record = records.get(label)
        if record is None:
            if previous is not None and not gap:
                events.append(Event(label, "left the file", f"{code} is not in release {label}"))
                gap = True
            continue
        if previous is None:
            events.append(Event(label, "first seen", f"added {record.added_date or 'on an unknown date'}"))
        else:
            changes = _changes(previous, record)
            if gap or (previous.added_date != record.added_date):
                reused = (
                    previous.long_description != record.long_description or previous.added_date != record.added_date
                )
                kind = "reused" if reused else "reappeared"
                events.append(Event(label, kind, f"added date {previous.added_date} -> {record.added_date}", changes))
            elif changes:
                events.append(Event(label, "changed", ", ".join(changes), changes))
            if record.termination_date and record.termination_date != previous.termination_date:
                events.append(Event(label, "terminated", f"last valid on {record.termination_date}"))
        if previous is None and record.termination_date:
            events.append(Event(label, "terminated", f"last valid on {record.termination_date}"))
        previous, gap = record, False
    latest = records[max(records)] if records else None
    return Timeline(
        code,
        sorted(records),
        latest.added_date if latest else None,
        latest.termination_date if latest else None,
        events,
    )
