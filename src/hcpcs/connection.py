"""SQLite connections to a store file: opening, WAL, creation, upgrades, write transactions, generations.

Why WAL: a writer appends to the -wal file and readers keep reading the last committed state
without ever writing, so a load killed at any moment leaves nothing a reader must repair (the
uncommitted tail of the WAL is ignored), and a running server keeps answering throughout.
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from hcpcs.errors import StoreError

log = logging.getLogger("hcpcs")

#: How long one try to take the write lock waits before saying that it waits.
FIRST_TRY_MS = 200
#: Each later wait for the write lock (repeated, without limit: a load may take minutes).
WAIT_MS = 60_000
#: Read connections map the file: pages are shared between connections and processes.
MMAP_BYTES = 1 << 30
#: What SQLite says when it cannot make a WAL store's -shm file beside it.
_NO_SHARED_MEMORY = {"SQLITE_READONLY_DIRECTORY", "SQLITE_READONLY_CANTINIT", "SQLITE_CANTOPEN"}
#: The row of the meta table holding the generation: bumped by every write that changes rows.
GENERATION_KEY = "generation"


def _busy(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
        "locked" in str(error)
    )


def _file_of(connection: sqlite3.Connection) -> str:
    row = connection.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else "the store"


def begin_writing(connection: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE: take the write lock, waiting (with one message) while another process writes."""
    previous = connection.execute("PRAGMA busy_timeout").fetchone()[0]
    connection.execute(f"PRAGMA busy_timeout = {FIRST_TRY_MS}")
    try:
        for attempt in itertools.count():
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _busy(error):
                    raise
            if attempt == 0:  # the first try was short: say why we wait, then wait longer each try
                log.warning("waiting: another process is writing to %s", _file_of(connection))
                connection.execute(f"PRAGMA busy_timeout = {WAIT_MS}")
    finally:
        connection.execute(f"PRAGMA busy_timeout = {previous}")


@contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: committed whole when the block ends, rolled back when it fails.

    When it changed rows, the store's generation is bumped in the same transaction, so a
    reader that sees the new rows also sees the new generation (and drops what it cached).
    """
    begin_writing(connection)
    changes = connection.total_changes
    try:
        yield
        if connection.total_changes != changes:
            bump_generation(connection)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def bump_generation(connection: sqlite3.Connection) -> None:
    """Count one more change of the store's data (inside the writing transaction)."""
    connection.execute(
        "INSERT INTO meta (key, value) VALUES (?, '1') "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        (GENERATION_KEY,),
    )


def read_generation(connection: sqlite3.Connection) -> int:
    """The store's generation as this connection sees it (0 before the first load)."""
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (GENERATION_KEY,)).fetchone()
    return int(row[0]) if row else 0


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _has_tables(connection: sqlite3.Connection) -> bool:
    return connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None


def statements(script: str) -> list[str]:
    """A script's statements, one by one (executescript would commit an open transaction)."""
    found, pending = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    return [s for s in found if s.strip(" ;\n")]


def writing_connection(path: Path) -> sqlite3.Connection:
    """A connection that may write: WAL on (switching an older store; this also rolls back a
    journal a killed writer of an older hcpcs left), an empty file given the newest schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, timeout=WAIT_MS / 1000)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        # A -wal file this size is truncated after a checkpoint instead of kept at its peak.
        connection.execute("PRAGMA journal_size_limit = 67108864")
        if not _has_tables(connection):
            _create(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _create(connection: sqlite3.Connection) -> None:
    """Give an empty file the newest schema in one transaction: a kill leaves it empty, not half made."""
    script = (files("hcpcs") / "schema.sql").read_text(encoding="utf-8")
    with write_transaction(connection):
        if _has_tables(connection):  # another process created it while this one waited
            return
        for statement in statements(script):
            connection.execute(statement)


def reading_connection(path: Path) -> sqlite3.Connection:
    """A read-only connection; it never writes the store, whatever state a killed writer left.

    One connection may serve several threads in turn (a server's pool), never two at once.
    """
    try:
        connection = _read_only(path, immutable=False)
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    except sqlite3.DatabaseError as error:
        if _immutable_fallback(path, error):
            return _read_only(path, immutable=True)
        if not _writable(path):
            raise
        # A hot rollback journal (an older hcpcs killed mid-load): one writable open recovers it.
        writing_connection(path).close()
        connection = _read_only(path, immutable=False)
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal" and _writable(path) and _has_tables(connection):
        # A store from before WAL: switched once, so a later load cannot block or break readers.
        connection.close()
        try:
            writing_connection(path).close()
        except sqlite3.OperationalError as error:
            if not _busy(error):  # held by an older hcpcs: read it as it is; a later open switches it
                raise
        connection = _read_only(path, immutable=False)
    return connection


def _immutable_fallback(path: Path, error: sqlite3.DatabaseError) -> bool:
    """Whether a WAL store must be read as immutable: nobody may write it or its directory (a
    read-only mount, another user's file), so SQLite cannot make the shared-memory file."""
    wal = path.with_name(path.name + "-wal")
    cannot_share = getattr(error, "sqlite_errorname", "") in _NO_SHARED_MEMORY or "unable to open" in str(error)
    return cannot_share and not _writable(path) and not wal.exists()


def _read_only(path: Path, immutable: bool) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?{'immutable=1' if immutable else 'mode=ro'}"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        connection.execute("PRAGMA user_version").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection


def upgrade_in_place(path: Path, version: int, target: int) -> None:
    """Bring an older store to the newest schema, keeping every release (waits for other writers)."""
    from hcpcs.migrations import upgrade

    if not _writable(path):
        raise StoreError(
            f"{path}: the store has schema {version} and needs an upgrade to {target}, but this user cannot "
            "write it (open it once as its owner, e.g. `hcpcs --db FILE releases`)"
        )
    try:
        upgrade(path, target)
    except (sqlite3.DatabaseError, OSError) as error:
        raise StoreError(f"{path}: cannot upgrade the store to schema {target} ({error})") from None
