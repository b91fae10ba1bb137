"""Find every file in what a user points at (files, folders, CMS zips, zips in zips), with bounds.

Only regular files are read (a FIFO or a device would hang or never end); a file, and a zip
member once inflated, may hold at most MAX_FILE_BYTES; zips nest at most MAX_NESTING deep.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hcpcs.errors import InputError

#: The largest file (or inflated zip member) read; CMS's biggest is ~6 MB.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: How deep zips may sit inside zips (CMS ships at most one level).
MAX_NESTING = 3
#: Most members one zip may list.
MAX_MEMBERS = 5000
_NOISE = ("._", "~$", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True, slots=True)
class Origin:
    """A file on disk that a release was read from, with its sha256 (provenance)."""

    path: Path
    sha256: str
    name: str  # as stored: the file name, with its folder when found in a folder


@dataclass(slots=True)
class Found:
    """One file inside what the user gave: its bytes and where it came from."""

    name: str  # shown in messages: "zip name/member name" inside a zip
    data: bytes
    origin: Origin  # the file on disk that holds it
    hints: list[str]  # names that may carry the release label, most specific first
    unit: str  # files of one CMS zip share a unit (they ship one release); a loose file is its own
    given_directly: bool = False  # named by the user on the command line
    modified: str | None = None  # a zip member's date (ISO), when the zip records one
    sha256: str = field(default="")

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = hashlib.sha256(self.data).hexdigest()

    @property
    def file_name(self) -> str:
        """The file's own name (no folder, no zip)."""
        return PurePosixPath(self.name).name


def _is_noise(name: str) -> bool:
    return name.startswith(_NOISE) or name in _NOISE


def _check_regular(path: Path, shown: str) -> os.stat_result:
    try:
        info = path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise InputError(shown, None, "a symbolic link loop (the link points back to itself)") from None
        if error.errno == errno.ENOENT:
            raise InputError(shown, None, "no such file or folder") from None
        raise InputError(shown, None, f"cannot read it ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise InputError(shown, None, "not a regular file (a pipe, device or socket cannot be loaded)")
    return info


def _read_file(path: Path, shown: str) -> bytes:
    info = _check_regular(path, shown)
    if info.st_size > MAX_FILE_BYTES:
        raise InputError(shown, None, f"{info.st_size:,} bytes: larger than any CMS file ({MAX_FILE_BYTES:,} at most)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError(shown, None, f"cannot read the file ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(shown, None, f"larger than any CMS file ({MAX_FILE_BYTES:,} bytes at most)")
    return data


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> bytes:
    """A member's bytes, read in pieces so a zip bomb stops at the cap instead of filling memory."""
    if info.file_size > MAX_FILE_BYTES:
        raise InputError(shown, None, f"inflates to {info.file_size:,} bytes ({MAX_FILE_BYTES:,} at most)")
    pieces, total = [], 0
    with archive.open(info) as member:
        while piece := member.read(1024 * 1024):
            total += len(piece)
            if total > MAX_FILE_BYTES:
                raise InputError(shown, None, f"inflates past {MAX_FILE_BYTES:,} bytes")
            pieces.append(piece)
    return b"".join(pieces)


def _member_date(info: zipfile.ZipInfo) -> str | None:
    year, month, day = info.date_time[:3]
    return f"{year:04d}-{month:02d}-{day:02d}" if year > 1980 and 1 <= month <= 12 and 1 <= day <= 31 else None


def _zip_members(data: bytes, shown: str, origin: Origin, hints: list[str], unit: str, depth: int = 1) -> list[Found]:
    if depth > MAX_NESTING:
        raise InputError(shown, None, f"zips nested more than {MAX_NESTING} deep")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise InputError(shown, None, f"{len(infos)} members: not a CMS release zip ({MAX_MEMBERS} at most)")
        found: list[Found] = []
        for info in infos:
            inner = PurePosixPath(info.filename)
            if _is_noise(inner.name) or "__MACOSX" in inner.parts:
                continue
            name = f"{shown}/{info.filename}"
            inner_data = _inflate(archive, info, name)
            inner_hints = [inner.stem, *[p for p in reversed(inner.parts[:-1])], *hints]
            if inner.suffix.lower() == ".zip" or (inner_data[:4] == b"PK\x03\x04" and inner.suffix.lower() == ""):
                found.extend(_zip_members(inner_data, name, origin, inner_hints, unit, depth + 1))
            else:
                found.append(Found(name, inner_data, origin, inner_hints, unit, modified=_member_date(info)))
        return found
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise InputError(shown, None, f"not a readable zip file ({error})") from None
    except (OSError, RuntimeError, zlib.error) as error:  # a damaged or encrypted member
        raise InputError(shown, None, f"not a readable zip file ({error})") from None


def _is_zip(path: Path, data: bytes) -> bool:
    suffix = path.suffix.lower()
    return suffix == ".zip" or (data[:4] == b"PK\x03\x04" and suffix not in (".xlsx", ".xls", ".xlsm"))


def _from_file(path: Path, shown: str, given_directly: bool, hints: list[str], stored_name: str) -> list[Found]:
    data = _read_file(path, shown)
    origin = Origin(path, hashlib.sha256(data).hexdigest(), stored_name)
    unit = str(path.resolve())
    if _is_zip(path, data):
        members = _zip_members(data, shown, origin, [path.stem, *hints], unit)
        for member in members:
            member.given_directly = given_directly
        return members
    return [Found(shown, data, origin, [path.stem, *hints], unit, given_directly, sha256=origin.sha256)]


def _walk(folder: Path, shown: str) -> list[Path]:
    """Every regular file under a folder, sorted; linked folders followed once (loops stop)."""
    files: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for root, folders, names in os.walk(folder, followlinks=True):
        info = os.stat(root)
        key = (info.st_dev, info.st_ino)
        if key in seen:
            folders[:] = []
            continue
        seen.add(key)
        folders.sort()
        for name in sorted(names):
            if _is_noise(name):
                continue
            path = Path(root) / name
            try:
                mode = path.stat().st_mode
            except OSError:
                continue  # a dangling or looping link inside a folder is not a file of the release
            if stat.S_ISREG(mode):
                files.append(path)
    if not files:
        raise InputError(shown, None, "the folder holds no files")
    return files


def find_files(paths: list[Path]) -> list[Found]:
    """Every file in the given paths (zips opened, folders walked), with label hints."""
    found: list[Found] = []
    for path in paths:
        shown = str(path)
        info = _check_regular(path, shown)
        parents = [p.name for p in list(path.resolve().parents)[:2]]
        if stat.S_ISDIR(info.st_mode):
            base = path.resolve()
            for child in _walk(path, shown):
                relative = child.relative_to(path).parts[:-1]
                hints = [*reversed(relative), base.name, *parents]
                stored = Path(base.name, *child.relative_to(path).parts).as_posix()
                found.extend(_from_file(child, stored, False, hints, stored))
        else:
            found.extend(_from_file(path, path.name, True, parents, path.name))
    return found
