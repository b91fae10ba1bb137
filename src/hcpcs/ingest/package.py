"""Group the files a user gave into releases, and choose which file plays each part.

A CMS zip ships one release: its members share the release its record file names (a NOC list
dated JAN in the April zip is April's). Loose files are labelled by their own names and folders.
Where a release has two files for one part (a re-issued `_v2`, the .prn and .xlsx of one report),
the better one is read and the other is listed with the reason; nothing unknown is fatal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hcpcs.errors import InputError
from hcpcs.ingest.kinds import (
    CHANGES,
    CHANGES_BY_ACTION,
    CORRECTIONS,
    DRUGS,
    IGNORED,
    LAYOUT,
    NOC,
    NOTES,
    README,
    RECORD_ROLES,
    TEXT,
    WORKBOOK,
    WORKBOOK_SUFFIXES,
    role_of,
)
from hcpcs.ingest.labels import label_from_names
from hcpcs.ingest.sources import Found, Origin

_VERSION = re.compile(r"_v(\d+)(?![a-z0-9])", re.IGNORECASE)
_NAME_DATE = re.compile(r"(?<!\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(20\d\d)(?!\d)")
#: Why a file that belongs to no release is not read.
STRAY_NOTES = {
    IGNORED: "not a file of an HCPCS release",
    README: "a README with no release file beside it",
    LAYOUT: "a record layout with no release file beside it",
}
#: Parts a release has one file for, in the order they are reported.
SINGLE_PARTS = (TEXT, WORKBOOK, CHANGES, CHANGES_BY_ACTION, NOC, NOTES, LAYOUT, README)


@dataclass(slots=True)
class Member:
    """One file given for a release, with the part it plays (or why it is not read)."""

    found: Found
    role: str
    read: bool = True
    note: str = ""  # why a file is not read: ignored, or another file plays its part

    @property
    def name(self) -> str:
        return self.found.name

    @property
    def data(self) -> bytes:
        return self.found.data


@dataclass(slots=True)
class ReleaseFiles:
    """The files found for one release: every member, and the ones chosen for each part."""

    label: str | None
    members: list[Member] = field(default_factory=list)
    parts: dict[str, Member] = field(default_factory=dict)
    corrections: list[Member] = field(default_factory=list)

    @property
    def origins(self) -> list[Origin]:
        """The files on disk the release was read from (each once)."""
        unique: dict[Path, Origin] = {}
        for member in self.members:
            if member.read:
                unique.setdefault(member.found.origin.path, member.found.origin)
        return list(unique.values())

    @property
    def has_records(self) -> bool:
        return any(role in self.parts for role in RECORD_ROLES)


def rank(name: str) -> tuple[int, str]:
    """How recent a CMS file's name says it is: its _vN re-issue number, then the date in it."""
    stem = PurePosixPath(name).stem
    version = _VERSION.search(stem)
    date = _NAME_DATE.search(stem)
    return (int(version[1]) if version else 0, f"{date[3]}{date[1]}{date[2]}" if date else "")


def _preference(member: Member) -> tuple:
    # A workbook beats the .prn/.txt of the same report or list: CMS's text cuts columns short.
    is_workbook = member.name.lower().endswith(WORKBOOK_SUFFIXES)
    side_part = member.role in (CHANGES, CHANGES_BY_ACTION, NOC)
    return (is_workbook if side_part else False, *rank(member.name))


def _label_of(found: Found) -> str | None:
    return label_from_names(found.hints)


def _unit_labels(found: list[Found], roles: list[str]) -> list[str | None]:
    """Each file's release label: the label its zip's record file names, else its own names."""
    record_labels: dict[str, set[str | None]] = defaultdict(set)
    for item, role in zip(found, roles, strict=True):
        if role in RECORD_ROLES:
            record_labels[item.unit].add(_label_of(item))
    labels = []
    for item in found:
        in_unit = record_labels.get(item.unit, set())
        labels.append(next(iter(in_unit)) if len(in_unit) == 1 else _label_of(item))
    return labels


def _choose(group: ReleaseFiles) -> None:
    """Pick the file for each part; list the others with the reason."""
    by_role: dict[str, list[Member]] = defaultdict(list)
    for member in group.members:
        by_role[member.role].append(member)
    for role, members in by_role.items():
        if role == IGNORED:
            for member in members:
                member.read, member.note = False, "not a file of an HCPCS release"
            continue
        if role == CORRECTIONS:
            _choose_corrections(group, members)
            continue
        best = max(members, key=_preference)
        group.parts[role] = best
        for member in members:
            if member is not best:
                same = member.found.sha256 == best.found.sha256
                member.read = False
                member.note = f"{'the same file as' if same else 'another file plays this part:'} {best.name}"
    if CHANGES in group.parts and CHANGES_BY_ACTION in group.parts:
        extra = group.parts.pop(CHANGES_BY_ACTION)
        extra.read, extra.note = False, f"the same report ordered by action code; read {group.parts[CHANGES].name}"


def _choose_corrections(group: ReleaseFiles, members: list[Member]) -> None:
    """Every corrections file is read (v2 adds to v1), but a .prn beside its own workbook is not."""
    workbooks = {PurePosixPath(m.name).stem.lower(): m for m in members if m.name.lower().endswith(WORKBOOK_SUFFIXES)}
    for member in members:
        twin = workbooks.get(PurePosixPath(member.name).stem.lower())
        if twin is not None and twin is not member:
            member.read, member.note = False, f"the same corrections as {twin.name} (cut to fixed columns)"
        else:
            group.corrections.append(member)


@dataclass(slots=True)
class Grouped:
    """Releases found, and the files that belong to none (listed as ignored)."""

    releases: list[ReleaseFiles]
    stray: list[Member]
    drugs: list[Found] = field(default_factory=list)  # CMS's Part B drug files, for hcpcs.drugs


def group_releases(found: list[Found], label: str | None = None) -> Grouped:
    """Group the files by release (the given label, else the one their names say), parts chosen."""
    roles = [role_of(item) for item in found]
    drugs = [item for item, role in zip(found, roles, strict=True) if role == DRUGS]
    found = [item for item, role in zip(found, roles, strict=True) if role != DRUGS]
    roles = [role for role in roles if role != DRUGS]
    if drugs and not found:
        return Grouped([], [], drugs)
    if all(role in (IGNORED, README, LAYOUT) for role in roles) and not drugs:
        names = ", ".join(sorted({item.origin.name for item in found})) or "input"
        raise InputError(names, None, "no HCPCS release file found (no ANWEB text file or workbook)")
    labels = [label] * len(found) if label else _unit_labels(found, roles)
    groups: dict[str | None, ReleaseFiles] = {}
    for item, role, key in zip(found, roles, labels, strict=True):
        groups.setdefault(key, ReleaseFiles(key)).members.append(Member(item, role))
    releases, stray = [], []
    for key, group in groups.items():
        if key is None:  # without a label only record files can still tell their release (from dates)
            stray.extend(m for m in group.members if m.role not in RECORD_ROLES)
            group.members = [m for m in group.members if m.role in RECORD_ROLES]
        if all(m.role in (IGNORED, README, LAYOUT) for m in group.members):
            stray.extend(group.members)  # a README beside drug files, say: not a release of its own
            continue
        _choose(group)
        releases.append(group)
    for member in stray:
        member.read = False
        member.note = STRAY_NOTES.get(member.role, "its name tells no release")
    return Grouped(sorted(releases, key=lambda g: g.label or ""), stray, drugs)
