"""Find drug files in what a user points `hcpcs load` at (files, folders, CMS zips), by content,
and route the rest to HCPCS ingest.

This is the routing step of the current loader: a path that holds drug files and nothing HCPCS
ingest reads is not given to HCPCS ingest (which would refuse it as holding no HCPCS file).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hcpcs.drugs.kinds import drug_file_kind, is_workbook
from hcpcs.errors import InputError


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A file found in what the user gave: its name as shown and stored, its bytes, its kind."""

    name: str  # 'zip name/member name' inside a zip, 'folder/file' inside a folder
    data: bytes
    kind: str | None  # a drug kind, or None


def _is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04") and not is_workbook(data)


def _unzipped(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for info in archive.infolist():
            inner = PurePosixPath(info.filename)
            if info.is_dir() or inner.name.startswith(("._", "~$")) or "__MACOSX" in inner.parts:
                continue
            yield from _leaves(f"{name}/{info.filename}", archive.read(info))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise InputError(name, None, f"not a readable zip file ({error})") from None


def _leaves(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    if _is_zip(data):
        yield from _unzipped(name, data)
    else:
        yield name, data


def _files_in(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every file in a path: a file, the members of a zip, a folder's files."""
    children = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for child in children:
        name = child.resolve().relative_to(path.resolve().parent).as_posix() if path.is_dir() else path.name
        try:
            data = child.read_bytes()
        except OSError as error:
            raise InputError(str(child), None, f"cannot read the file ({error.strerror})") from None
        yield from _leaves(name, data)


def split_paths(paths: list[Path]) -> tuple[list[FoundFile], list[Path]]:
    """The drug files in the paths (told by content), and the paths HCPCS ingest must still read:
    every path except those holding drug files and no file HCPCS ingest would read."""
    from hcpcs.ingest.package import role_of

    found: list[FoundFile] = []
    hcpcs_paths: list[Path] = []
    for path in paths:
        if not path.exists():
            hcpcs_paths.append(path)  # HCPCS ingest names it
            continue
        drugs, other = [], False
        for name, data in _files_in(path):
            kind = drug_file_kind(name, data)
            if kind:
                drugs.append(FoundFile(name, data, kind))
            elif role_of(PurePosixPath(name).name, given_directly=path.is_file() and name == path.name):
                other = True
        found.extend(drugs)
        if other or not drugs:
            hcpcs_paths.append(path)
    return found, hcpcs_paths
