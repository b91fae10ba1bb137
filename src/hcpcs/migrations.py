"""Schema upgrades: the SQL taking a store from one schema version to the next, applied in place.

A store written by an older version of hcpcs keeps every release its user loaded: opening it
runs the steps it lacks, in one transaction. `schema.sql` is always the newest schema whole;
each step here must leave an older store with exactly what `schema.sql` creates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from hcpcs.connection import WAIT_MS, statements, write_transaction

#: The oldest schema version a store can be upgraded from.
OLDEST_UPGRADABLE = 3


def _schema_part(version: int) -> str:
    """The statements schema.sql adds for a version (between its '-- Schema N' marker and the next)."""
    text = (files("hcpcs") / "schema.sql").read_text(encoding="utf-8")
    start = text.index(f"-- Schema {version} ")
    end = text.find("-- Schema ", start + 1)
    return text[start : end if end >= 0 else len(text)]


#: Version N's step: the SQL taking a store from version N - 1 to N.
STEPS: dict[int, Callable[[], str]] = {4: lambda: _schema_part(4), 5: lambda: _schema_part(5)}


def upgrade(path: Path, target: int) -> None:
    """Bring the store at `path` to schema `target` in one transaction (a no-op if another
    process got there first; waits, saying so, while another process writes); raises sqlite3
    errors for the caller to report."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=WAIT_MS / 1000)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        with write_transaction(connection):
            current = connection.execute("PRAGMA user_version").fetchone()[0]
            for version in range(current + 1, target + 1):
                for statement in statements(STEPS[version]()):
                    connection.execute(statement)
            if current < target:
                connection.execute(f"PRAGMA user_version = {target}")
    finally:
        connection.close()
