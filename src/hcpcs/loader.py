"""Store releases read from CMS files: one transaction per release, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from hcpcs.connection import write_transaction
from hcpcs.errors import ReleaseExistsError
from hcpcs.ingest import ReleaseData, read_releases
from hcpcs.model import FIELD_NAMES, LIST_FIELDS

_INSERT_CODE = f"INSERT INTO codes ({', '.join(FIELD_NAMES)}) VALUES ({', '.join('?' * len(FIELD_NAMES))})"
_FTS_COLUMNS = "code, short_description, long_description"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What loading one release did: 'loaded', 'replaced' or 'unchanged' (already stored)."""

    release: str
    effective_date: str
    procedures: int
    modifiers: int
    seconds: float
    status: str
    warnings: int
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


_ALL_FIELDS = attrgetter(*FIELD_NAMES)
_LIST_POSITIONS = [i for i, name in enumerate(FIELD_NAMES) if name in LIST_FIELDS]


_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f-\U0010ffff]*')


def _json_list(values: list[str]) -> str:
    """json.dumps(values), with a fast path for the plain ASCII codes CMS lists hold."""
    if not values:
        return "[]"
    if _PLAIN.fullmatch("".join(values)):
        return '["' + '", "'.join(values) + '"]'
    return json.dumps(values)


def _row(record) -> list:
    row = list(_ALL_FIELDS(record))
    for i in _LIST_POSITIONS:
        row[i] = _json_list(row[i])
    return row


def _stored_hashes(connection: sqlite3.Connection) -> dict[str, set[str]]:
    stored: dict[str, set[str]] = {}
    for release, sha256 in connection.execute("SELECT release, sha256 FROM sources"):
        stored.setdefault(release, set()).add(sha256)
    return stored


def delete_release(connection: sqlite3.Connection, label: str) -> None:
    """Remove a release and everything stored with it (its index entries too)."""
    # External-content FTS rows must be removed with the values they were indexed with.
    connection.execute(
        f"INSERT INTO codes_fts(codes_fts, rowid, {_FTS_COLUMNS}) "
        f"SELECT 'delete', id, {_FTS_COLUMNS} FROM codes WHERE release = ?",
        (label,),
    )
    connection.execute("DELETE FROM releases WHERE label = ?", (label,))


def _insert_release(connection: sqlite3.Connection, data: ReleaseData) -> tuple[int, int]:
    procedures = sum(1 for r in data.records if r.kind == "procedure")
    modifiers = len(data.records) - procedures
    loaded_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    label = data.label
    connection.execute(
        "INSERT INTO releases (label, effective_date, loaded_at, procedures, modifiers, record_file) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (label, data.effective_date, loaded_at, procedures, modifiers, data.record_file),
    )
    connection.executemany(
        "INSERT INTO sources (release, file, sha256) VALUES (?, ?, ?)",
        [(label, origin.name, origin.sha256) for origin in data.origins],
    )
    connection.executemany(_INSERT_CODE, map(_row, data.records))
    connection.execute(
        f"INSERT INTO codes_fts(rowid, {_FTS_COLUMNS}) SELECT id, {_FTS_COLUMNS} FROM codes WHERE release = ?",
        (label,),
    )
    connection.executemany(
        "INSERT INTO processing_notes (release, number, text) VALUES (?, ?, ?)",
        [(label, number, text) for number, text in data.notes.items()],
    )
    connection.executemany(
        "INSERT INTO noc_codes (release, code, description, added_date, termination_date) VALUES (?, ?, ?, ?, ?)",
        [(label, e.code, e.description, e.added_date, e.termination_date) for e in data.noc],
    )
    connection.executemany(
        "INSERT INTO change_reports (release, position, code, action, action_code, short_description, "
        "long_description) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (label, i, e.code, e.action, e.action_code, e.short_description, e.long_description)
            for i, e in enumerate(data.changes)
        ],
    )
    connection.executemany(
        "INSERT INTO load_warnings (release, position, message) VALUES (?, ?, ?)",
        [(label, i, message) for i, message in enumerate(data.warnings)],
    )
    return procedures, modifiers


def _store_one(connection: sqlite3.Connection, data: ReleaseData, replace: bool) -> LoadResult:
    started = time.perf_counter() - data.read_seconds
    # The check and the insert share one write transaction: a concurrent load of the same
    # files waits for this one, then finds them stored.
    with write_transaction(connection):
        unchanged = _already_stored(connection, data, replace, started)
        if unchanged is not None:
            return unchanged
        exists = connection.execute("SELECT 1 FROM releases WHERE label = ?", (data.label,)).fetchone() is not None
        if exists and not replace:
            raise ReleaseExistsError(
                f"release {data.label} is already stored from other files; use --replace to replace it"
            )
        if exists:
            delete_release(connection, data.label)
        procedures, modifiers = _insert_release(connection, data)
    return LoadResult(
        data.label,
        data.effective_date,
        procedures,
        modifiers,
        time.perf_counter() - started,
        "replaced" if exists else "loaded",
        len(data.warnings),
    )


def _already_stored(
    connection: sqlite3.Connection, data: ReleaseData, replace: bool, started: float
) -> LoadResult | None:
    """The 'unchanged' result when a release already holds every one of these files."""
    hashes = {origin.sha256 for origin in data.origins}
    for label, label_hashes in _stored_hashes(connection).items():
        if hashes <= label_hashes and (label == data.label or not replace):
            row = connection.execute(
                "SELECT effective_date, procedures, modifiers FROM releases WHERE label = ?", (label,)
            ).fetchone()
            note = f"already stored as release {label}; nothing changed"
            return LoadResult(label, row[0], row[1], row[2], time.perf_counter() - started, "unchanged", 0, note)
    return None


def store_releases(
    connection: sqlite3.Connection,
    releases: list[ReleaseData],
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[LoadResult]:
    """Store releases already read, each in its own transaction."""
    results = []
    for data in releases:
        if progress:
            progress(data.label)
        results.append(_store_one(connection, data, replace))
    return results


def load_paths(
    connection: sqlite3.Connection,
    paths: list[Path],
    release: str | None,
    replace: bool,
    progress: Callable[[str], None] | None = None,
) -> list[LoadResult]:
    """Read every release in the paths first (so damaged input stores nothing), then store each."""
    return store_releases(connection, read_releases(paths, release), replace, progress)
