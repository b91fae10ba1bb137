"""Answers as of a date of service, and replacement chains for terminated codes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hcpcs.model import CodeRecord
    from hcpcs.store import Store

#: Most cross-reference hops followed from a terminated code.
MAX_HOPS = 10


def record_on(store: Store, code: str, on: str) -> CodeRecord | None:
    """The record from the latest release in effect on the date that holds the code; else the
    earliest later release that holds it (added by a quarter not loaded, or a date before all)."""
    holding = store.releases_holding(code)
    if not holding:
        return None
    in_effect = [label for label in holding if f"{label}-01" <= on]
    return store.record(code, in_effect[-1] if in_effect else holding[0])


def record_as_known_now(store: Store, code: str) -> CodeRecord | None:
    """The code's record in the newest stored release that holds it (CMS's latest word on it)."""
    holding = store.releases_holding(code)
    return store.record(code, holding[-1]) if holding else None


@dataclass(frozen=True, slots=True)
class Revision:
    """A later release that changed a date's answer after the fact (C9034: valid on 2019-01-01 by
    the 2019 file, terminated back to 2018-12-31 by the 2020 one)."""

    release: str  # the later release that changed the answer
    status: str  # what it says about the date
    status_date: str | None
    date: str
    was_release: str  # the release in effect on the date
    was_status: str  # what that release said

    @property
    def message(self) -> str:
        """One line for users."""
        when = f" as of {self.status_date}" if self.status_date and self.status != "Actual" else ""
        return (
            f"release {self.release} changed this answer after the fact: on {self.date} the code is "
            f"{_WORDS[self.status]}{when} by it, where release {self.was_release} (in effect then) said "
            f"{_WORDS[self.was_status]}; --as-known-now answers by the newest release"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (with the message)."""
        return {**asdict(self), "message": self.message}


_WORDS = {"Actual": "valid", "Terminated": "terminated", "Not yet effective": "not yet effective"}


def revision(store: Store, record: CodeRecord, on: str) -> Revision | None:
    """The first later release whose record says something else about the date than `record` does."""
    from hcpcs.page import status_of

    was = status_of(record, on)
    for label in store.releases_holding(record.code):
        if label <= record.release:
            continue
        later = store.record(record.code, label)
        if later is not None and status_of(later, on)[0] != was[0]:
            status, status_date = status_of(later, on)
            return Revision(label, status, status_date, on, record.release, was[0])
    return None


def valid_on(record: CodeRecord, on: str) -> bool:
    """Valid on a date: added on or before it, and not terminated before it."""
    from hcpcs.page import ACTUAL, status_of

    return status_of(record, on)[0] == ACTUAL


@dataclass(slots=True)
class Replacements:
    """Where a terminated code leads: the codes in force at the end of its cross-reference chains."""

    code: str
    replacements: list[str] = field(default_factory=list)
    paths: list[list[str]] = field(default_factory=list)  # each chain, from the code to a replacement
    ambiguous: bool = False  # more than one replacement: a person must choose
    unresolved: list[str] = field(default_factory=list)  # references to codes in no loaded release

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


def replacements(store: Store, code: str, on: str | None = None) -> Replacements:
    """Follow cross references from a code to codes in force on the date (default: the latest release)."""
    latest = store.release_labels()[-1]
    on = on or f"{latest}-01"

    def current(target: str) -> CodeRecord | None:
        return record_on(store, target, on)

    result = Replacements(code)
    start = current(code)
    if start is None or valid_on(start, on):
        return result
    stack = [[code]]
    while stack:
        path = stack.pop()
        record = current(path[-1])
        if record is None:
            if path[-1] not in result.unresolved:
                result.unresolved.append(path[-1])
            continue
        if len(path) > 1 and valid_on(record, on):
            if path[-1] not in result.replacements:
                result.replacements.append(path[-1])
                result.paths.append(path)
            continue
        if len(path) > MAX_HOPS:
            continue
        for target in reversed(record.cross_references):
            if target not in path:  # a cycle is not followed round again
                stack.append([*path, target])
    result.ambiguous = len(result.replacements) > 1
    return result
