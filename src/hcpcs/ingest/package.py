"""Find the files of a release in what a user points at: a CMS zip, a folder or one file."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hcpcs.errors import InputError
from hcpcs.ingest.labels import label_from_names


@dataclass(frozen=True, slots=True)
class Origin:
    """A file on disk that a release was read from, with its sha256 (provenance)."""

    path: Path
    sha256: str
    name: str  # as stored: the file name, with its folder when found in a folder


WORKBOOK_SUFFIXES = (".xlsx", ".xls")
#: Roles a file can play in a release; the first two hold the records.
TEXT, WORKBOOK, NOTES, NOC, CHANGES = "text", "workbook", "notes", "noc", "changes"


@dataclass(slots=True)
class Member:
    """One file inside what the user gave, with what it is for."""

    name: str  # shown in messages: "zip name/member name" inside a zip
    data: bytes
    role: str | None
    hints: list[str]  # names that may carry the release label, most specific first
    origin: Origin  # the file on disk that holds it


@dataclass(slots=True)
class ReleaseFiles:
    """The files found for one release, by role."""

    label: str | None
    members: dict[str, Member] = field(default_factory=dict)
    origins: dict[Path, Origin] = field(default_factory=dict)  # the files used, on disk


def role_of(name: str, given_directly: bool = False) -> str | None:
    """What a CMS file is for, from its name; None for files a release does not need."""
    path = PurePosixPath(name.lower())
    stem, suffix = path.stem, path.suffix
    if "proc_notes" in stem or "procnotes" in stem:
        return NOTES
    if "noc" in stem.replace("_", " ").split() or stem.startswith("noc_"):
        return NOC
    if "changes_by_hcpc" in stem or ("trans" in stem and suffix in WORKBOOK_SUFFIXES):
        return CHANGES
    if "anweb" in stem:
        return TEXT if suffix == ".txt" else WORKBOOK if suffix in WORKBOOK_SUFFIXES else None
    if given_directly and not any(w in stem for w in ("readme", "layout", "correction", "changes")):
        # A file named by the user is read as records by its suffix.
        return TEXT if suffix in (".txt", ".prn", "") else WORKBOOK if suffix in WORKBOOK_SUFFIXES else None
    return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _zip_members(data: bytes, display: str, origin: Origin, hints: list[str]) -> list[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
        members = []
        for info in infos:
            inner = PurePosixPath(info.filename)
            if inner.name.startswith(("._", "~$")) or "__MACOSX" in inner.parts:
                continue
            inner_data = archive.read(info)
            name = f"{display}/{info.filename}"
            inner_hints = [inner.stem, *[p for p in reversed(inner.parts[:-1])], *hints]
            if inner.suffix.lower() == ".zip":
                members.extend(_zip_members(inner_data, name, origin, inner_hints))
            else:
                members.append(Member(name, inner_data, role_of(inner.name), inner_hints, origin))
        return members
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise InputError(display, None, f"not a readable zip file ({error})") from None


def _members_of(path: Path, given_directly: bool, hints: list[str], name: str) -> list[Member]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), None, f"cannot read the file ({error.strerror})") from None
    origin = Origin(path, _sha256(data), name)
    suffix = path.suffix.lower()
    if suffix == ".zip" or (data[:4] == b"PK\x03\x04" and suffix not in WORKBOOK_SUFFIXES):
        members = _zip_members(data, name, origin, [path.stem, *hints])
        if given_directly and not any(m.role for m in members):
            raise InputError(path.name, None, "the zip holds no HCPCS file (no ANWEB text file or workbook)")
        return members
    return [Member(name, data, role_of(path.name, given_directly), [path.stem, *hints], origin)]


def discover(paths: list[Path]) -> list[Member]:
    """Every file in the given paths (zips opened, folders walked), with role and label hints."""
    members: list[Member] = []
    for path in paths:
        if not path.exists():
            raise InputError(str(path), None, "no such file or folder")
        parents = [p.name for p in list(path.resolve().parents)[:2]]
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = child.relative_to(path).parts[:-1]
                hints = [*reversed(relative), path.resolve().name, *parents]
                name = child.resolve().relative_to(path.resolve().parent)
                members.extend(_members_of(child, False, hints, name.as_posix()))
        else:
            members.extend(_members_of(path, True, parents, path.name))
    return members


def _prefer(current: Member, new: Member) -> Member:
    """Two files for one role: keep the workbook of a report or NOC list (it is not cut short)."""
    if new.role in (CHANGES, NOC) and new.name.lower().endswith(WORKBOOK_SUFFIXES):
        return new
    if current.role in (CHANGES, NOC):
        return current
    raise InputError(new.name, None, f"a second {new.role} file for one release (the first is {current.name})")


def group_releases(members: list[Member], label: str | None = None) -> list[ReleaseFiles]:
    """Group the files that matter by release label (given, or read from the names)."""
    groups: dict[str | None, ReleaseFiles] = {}
    for member in members:
        if member.role is None:
            continue
        key = label or label_from_names(member.hints)
        group = groups.setdefault(key, ReleaseFiles(key))
        existing = group.members.get(member.role)
        group.members[member.role] = _prefer(existing, member) if existing else member
    for group in groups.values():
        if TEXT not in group.members and WORKBOOK not in group.members:
            names = ", ".join(sorted(m.name for m in group.members.values()))
            where = f"release {group.label}" if group.label else "these files"
            raise InputError(names, None, f"no HCPCS record file (ANWEB text file or workbook) for {where}")
        for member in group.members.values():
            group.origins.setdefault(member.origin.path, member.origin)
    if not groups:
        names = ", ".join(sorted({m.origin.path.name for m in members})) or "input"
        raise InputError(names, None, "no HCPCS record file found")
    return sorted(groups.values(), key=lambda g: g.label or "")
