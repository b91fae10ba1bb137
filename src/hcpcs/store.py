"""The SQLite store: releases side by side; opening it for reading never writes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from hcpcs.errors import StoreError, UnknownReleaseError
from hcpcs.model import FIELD_NAMES, LIST_FIELDS, CodeRecord, Release, Source

if TYPE_CHECKING:
    from hcpcs.loader import LoadResult

SCHEMA_VERSION = 1
_LISTS = frozenset(LIST_FIELDS)
_COLUMNS = ", ".join(FIELD_NAMES)


def _connect(path: Path, write: bool) -> sqlite3.Connection:
    if not write and not path.is_file():
        raise StoreError(f"{path}: no store there (load a release into it first)")
    try:
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, isolation_level=None)
        else:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if write and version == 0 and not connection.execute("SELECT 1 FROM sqlite_master").fetchone():
            connection.executescript((files("hcpcs") / "schema.sql").read_text(encoding="utf-8"))
            version = SCHEMA_VERSION
    except (sqlite3.DatabaseError, OSError) as error:
        raise StoreError(f"{path}: not an hcpcs store ({error})") from None
    if version != SCHEMA_VERSION:
        connection.close()
        raise StoreError(f"{path}: not an hcpcs store (schema version {version}, expected {SCHEMA_VERSION})")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def record_from_row(row: tuple) -> CodeRecord:
    """A canonical record from a codes row selected with every canonical column."""
    values = {
        name: json.loads(value) if name in _LISTS else value
        for name, value in zip(FIELD_NAMES, row, strict=True)
    }
    return CodeRecord(**values)


class Store:
    """One store file holding any number of releases."""

    def __init__(self, path: str | Path, *, write: bool = False) -> None:
        self.path = Path(path)
        self.connection = _connect(self.path, write)
        self.writable = write

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- releases -------------------------------------------------------------
    def releases(self) -> list[Release]:
        """Every stored release, oldest first."""
        sources: dict[str, list[Source]] = {}
        for release, file, sha256 in self.connection.execute(
            "SELECT release, file, sha256 FROM sources ORDER BY release, file"
        ):
            sources.setdefault(release, []).append(Source(file, sha256))
        return [
            Release(label, effective, tuple(sources.get(label, ())), procedures, modifiers, loaded_at)
            for label, effective, procedures, modifiers, loaded_at in self.connection.execute(
                "SELECT label, effective_date, procedures, modifiers, loaded_at FROM releases ORDER BY label"
            )
        ]

    def release_labels(self) -> list[str]:
        """Stored release labels, oldest first."""
        return [row[0] for row in self.connection.execute("SELECT label FROM releases ORDER BY label")]

    def latest_release(self) -> str:
        """The newest stored release label."""
        labels = self.release_labels()
        if not labels:
            raise UnknownReleaseError(f"{self.path}: the store holds no release")
        return labels[-1]

    def resolve_release(self, release: str | None) -> str:
        """The given label if stored (None means the latest), else UnknownReleaseError."""
        if release is None:
            return self.latest_release()
        if not self.connection.execute("SELECT 1 FROM releases WHERE label = ?", (release,)).fetchone():
            known = ", ".join(self.release_labels()) or "none"
            raise UnknownReleaseError(f"release {release!r} is not in the store (stored: {known})")
        return release

    # -- records --------------------------------------------------------------
    def records(self, release: str | None = None) -> Iterator[CodeRecord]:
        """Every record of a release (default: the latest), in file order."""
        label = self.resolve_release(release)
        cursor = self.connection.execute(
            f"SELECT {_COLUMNS} FROM codes WHERE release = ? ORDER BY id", (label,)
        )
        return (record_from_row(row) for row in cursor)

    def get(self, code: str, release: str | None = None) -> CodeRecord | None:
        """One code's record in a release (default: the latest), or None."""
        label = self.resolve_release(release)
        row = self.connection.execute(
            f"SELECT {_COLUMNS} FROM codes WHERE release = ? AND code = ?", (label, code.strip().upper())
        ).fetchone()
        return record_from_row(row) if row else None

    # -- side tables ------------------------------------------------------------
    def processing_notes(self, release: str | None = None) -> dict[str, str]:
        """Processing note number to text, as the release's notes file has them."""
        label = self.resolve_release(release)
        rows = self.connection.execute(
            "SELECT number, text FROM processing_notes WHERE release = ? ORDER BY number", (label,)
        )
        return dict(rows)

    def noc_codes(self, release: str | None = None) -> list[dict[str, str | None]]:
        """CMS's list of not-otherwise-classified codes loaded with the release."""
        label = self.resolve_release(release)
        cursor = self.connection.execute(
            "SELECT code, description, added_date, termination_date FROM noc_codes "
            "WHERE release = ? ORDER BY code",
            (label,),
        )
        return [
            dict(zip(("code", "description", "added_date", "termination_date"), row, strict=True))
            for row in cursor
        ]

    def change_report(self, release: str | None = None) -> list[dict[str, str | None]]:
        """CMS's transaction report shipped with the release, in report order."""
        label = self.resolve_release(release)
        names = ("code", "action", "action_code", "short_description", "long_description")
        cursor = self.connection.execute(
            f"SELECT {', '.join(names)} FROM change_reports WHERE release = ? ORDER BY position", (label,)
        )
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def load_warnings(self, release: str | None = None) -> list[str]:
        """Where the release's workbook disagreed with its text file, one line each."""
        label = self.resolve_release(release)
        cursor = self.connection.execute(
            "SELECT message FROM load_warnings WHERE release = ? ORDER BY position", (label,)
        )
        return [row[0] for row in cursor]

    # -- writing ----------------------------------------------------------------
    def load(
        self,
        paths: list[str | Path],
        *,
        release: str | None = None,
        replace: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> list[LoadResult]:
        """Read official CMS files and store each release they hold, atomically."""
        from hcpcs.loader import load_paths

        if not self.writable:
            raise StoreError(f"{self.path}: opened read-only; open it with write=True to load")
        return load_paths(self.connection, [Path(p) for p in paths], release, replace, progress)
