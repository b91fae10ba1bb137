"""Store releases read from CMS files: one transaction per release, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from hcpcs.connection import write_transaction
from hcpcs.errors import HcpcsError, InputError, ReleaseExistsError
from hcpcs.ingest.release import ReleaseData, find_releases, read_release
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
    anomalies: int = 0
    corrections: int = 0
    ignored: tuple[str, ...] = ()  # files given for the release and not read, each with the reason

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["ignored"] = list(self.ignored)
        return data


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
        "INSERT OR IGNORE INTO sources (release, file, sha256) VALUES (?, ?, ?)",
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
    _insert_side_tables(connection, data)
    return procedures, modifiers


def _insert_side_tables(connection: sqlite3.Connection, data: ReleaseData, start: int = 0) -> None:
    """What comes with the records: warnings, misfit values, corrections and the file list."""
    label = data.label
    connection.executemany(
        "INSERT INTO load_warnings (release, position, message) VALUES (?, ?, ?)",
        [(label, start + i, message) for i, message in enumerate(data.warnings)],
    )
    connection.executemany(
        "INSERT INTO anomalies (release, code, field, raw, file, place, problem) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(label, a.code, a.field, a.raw, a.file, a.place, a.problem) for a in data.anomalies],
    )
    first = connection.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM corrections WHERE release = ?", (label,))
    position = first.fetchone()[0]
    rows = []
    for batch in data.corrections:
        for correction in batch.corrections:
            details = json.dumps(correction.details, ensure_ascii=False)
            rows.append((label, position, batch.file, batch.issued, correction.code, correction.action,
                         correction.effective_date, details))  # fmt: skip
            position += 1
    connection.executemany(
        "INSERT INTO corrections (release, position, file, issued, code, action, effective_date, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.executemany(
        "INSERT OR REPLACE INTO members (release, file, role, sha256, bytes) VALUES (?, ?, ?, ?, ?)",
        [(label, m.name, m.role if m.read else f"ignored: {m.note}", m.found.sha256, len(m.data))
         for m in data.members],
    )  # fmt: skip


def _summary(data: ReleaseData) -> dict[str, object]:
    return {
        "anomalies": len(data.anomalies),
        "corrections": sum(len(batch.corrections) for batch in data.corrections),
        "ignored": tuple(f"{m.name} ({m.note})" for m in data.ignored),
    }


def _unchanged(connection: sqlite3.Connection, label: str, started: float, data: ReleaseData) -> LoadResult:
    row = connection.execute("SELECT effective_date, procedures, modifiers FROM releases WHERE label = ?", (label,))
    effective, procedures, modifiers = row.fetchone()
    note = f"already stored as release {label}; nothing changed"
    return LoadResult(label, effective, procedures, modifiers, time.perf_counter() - started, "unchanged", 0, note,
                      **_summary(data))  # fmt: skip


def _already_stored(connection: sqlite3.Connection, data: ReleaseData, replace: bool, started: float):
    """The 'unchanged' result when a release already holds every one of these files, else None."""
    hashes = {origin.sha256 for origin in data.origins}
    for label, label_hashes in _stored_hashes(connection).items():
        if hashes <= label_hashes and (label == data.label or not replace):
            return _unchanged(connection, label, started, data)
    return None


def _supplement(connection: sqlite3.Connection, data: ReleaseData, started: float) -> LoadResult:
    """Side files alone (a corrections zip, a NOC list) for a release already stored: added to it
    (inside the caller's write transaction)."""
    row = connection.execute(
        "SELECT effective_date, procedures, modifiers FROM releases WHERE label = ?", (data.label,)
    ).fetchone()
    names = ", ".join(m.name for m in data.members if m.read)
    if row is None:
        raise InputError(
            names, None, f"no HCPCS record file (ANWEB text file or workbook) for release {data.label}, "
            f"and the store has no release {data.label} to add these files to"
        )  # fmt: skip
    has = {t: connection.execute(f"SELECT 1 FROM {t} WHERE release = ? LIMIT 1", (data.label,)).fetchone()
           for t in ("processing_notes", "noc_codes")}  # fmt: skip
    if data.notes and has["processing_notes"] or data.noc and has["noc_codes"]:
        raise InputError(names, None, f"release {data.label} already has its processing notes or NOC list; "
                         "load the whole release with --replace to change them")  # fmt: skip
    connection.executemany(
        "INSERT INTO processing_notes (release, number, text) VALUES (?, ?, ?)",
        [(data.label, number, text) for number, text in data.notes.items()],
    )
    connection.executemany(
        "INSERT INTO noc_codes (release, code, description, added_date, termination_date) VALUES (?, ?, ?, ?, ?)",
        [(data.label, e.code, e.description, e.added_date, e.termination_date) for e in data.noc],
    )
    connection.executemany(
        "INSERT OR IGNORE INTO sources (release, file, sha256) VALUES (?, ?, ?)",
        [(data.label, origin.name, origin.sha256) for origin in data.origins],
    )
    start = connection.execute("SELECT COUNT(*) FROM load_warnings WHERE release = ?", (data.label,)).fetchone()[0]
    _insert_side_tables(connection, data, start)
    return LoadResult(data.label, row[0], row[1], row[2], time.perf_counter() - started, "supplemented",
                      len(data.warnings), f"added {names} to release {data.label}", **_summary(data))  # fmt: skip


def _store_one(connection: sqlite3.Connection, data: ReleaseData, replace: bool) -> LoadResult:
    started = time.perf_counter() - data.read_seconds
    # The check and the insert share one write transaction: a concurrent load of the same
    # files waits for this one, then finds them stored.
    with write_transaction(connection):
        unchanged = _already_stored(connection, data, replace, started)
        if unchanged is not None:
            return unchanged
        if data.records is None:
            return _supplement(connection, data, started)
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
        **_summary(data),
    )


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


@dataclass(frozen=True, slots=True)
class Refused:
    """A release that was not loaded, and why (nothing of it was stored)."""

    release: str | None
    error: HcpcsError

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {"release": self.release, "status": "refused", "error": str(self.error)}


@dataclass(slots=True)
class LoadReport:
    """Every release's outcome: loaded (or unchanged, replaced, supplemented) or refused."""

    results: list[LoadResult]
    refused: list[Refused]
    stray: list[str]  # files that belong to no release, each with the reason
    drugs: list = field(default_factory=list)  # hcpcs.drugs.load.DrugLoadResult, per quarter and kind


def _load_drugs(drugs, found: list, replace: bool) -> list:
    """CMS's Part B drug files found among the paths, read, checked and stored (one transaction)."""
    from hcpcs.drugs import load as drug_load
    from hcpcs.drugs.files import FoundFile
    from hcpcs.ingest.kinds import drug_kind

    files = [FoundFile(item.name, item.data, drug_kind(item)) for item in found]
    return drug_load.store(drugs, drug_load.read_found(files), replace)


def load_paths(
    connection: sqlite3.Connection,
    paths: list[Path],
    release: str | None,
    replace: bool,
    progress: Callable[[str], None] | None = None,
    strict: bool = False,
    drugs=None,
) -> LoadReport:
    """Read and store each release in the paths in its own transaction: a damaged release is
    refused (nothing of it stored) and the others still load. Part B drug files among them go to
    the store's drug tables (`drugs`), all of them in one transaction."""
    grouped = find_releases(paths, release)
    report = LoadReport([], [], [f"{m.name} ({m.note})" for m in grouped.stray])
    alone = len(grouped.releases) + bool(grouped.drugs) == 1
    if grouped.drugs:
        if drugs is None:
            raise InputError(grouped.drugs[0].name, None, "Part B drug files load through a Store")
        try:
            report.drugs = _load_drugs(drugs, grouped.drugs, replace)
        except HcpcsError as error:
            if alone:
                raise
            report.refused.append(Refused("drug files", error))
    for group in grouped.releases:
        if progress:
            progress(group.label or "release")
        try:
            report.results.append(_store_one(connection, read_release(group, strict), replace))
        except HcpcsError as error:
            if alone:
                raise
            report.refused.append(Refused(group.label, error))
    return report
