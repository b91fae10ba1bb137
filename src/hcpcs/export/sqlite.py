"""A standalone SQLite database of chosen releases: the store's own schema (docs/store.md),
so `hcpcs --db FILE ...`, the sqlite3 shell and any SQLite client read it as they are."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hcpcs.atomic import replacing
from hcpcs.store import Store


def write_sqlite(store: Store, labels: list[str], out: Path) -> int:
    """Copy the store, keep only `labels`, compact; returns the number of records kept.
    Written beside the target and renamed into place, so a failed export leaves nothing."""
    from hcpcs.loader import delete_release

    with replacing(out) as partial:
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            store.connection.backup(copy)
            copy.execute("PRAGMA foreign_keys = ON")
            copy.execute("BEGIN")
            for label in store.release_labels():
                if label not in labels:
                    delete_release(copy, label)
            copy.execute("INSERT INTO codes_fts(codes_fts) VALUES ('optimize')")
            copy.execute("COMMIT")
            copy.execute("VACUUM")
            (count,) = copy.execute("SELECT count(*) FROM codes").fetchone()
        finally:
            copy.close()
    return count
