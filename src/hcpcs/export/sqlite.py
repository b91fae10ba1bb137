"""A standalone SQLite database of chosen releases: the store's own schema (docs/store.md),
so `hcpcs --db FILE ...`, the sqlite3 shell and any SQLite client read it as they are."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hcpcs.store import Store


def write_sqlite(store: Store, labels: list[str], out: Path) -> int:
    """Copy the store, keep only `labels`, compact; returns the number of records kept.
    Written beside the target and renamed into place, so a failed export leaves nothing."""
    from hcpcs.loader import delete_release

    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
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
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    copy.close()
    partial.replace(out)
    return count
