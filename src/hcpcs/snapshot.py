"""The default store, prebuilt: the bundled releases already loaded, shipped xz-compressed.

Building the default store from the bundled CMS files takes many seconds (parsing, indexing);
installing this snapshot takes well under one. It is only used when its key matches this exact
package: the bundled manifests, the schema and the code that reads CMS files. Otherwise the store
is built from the files as before. tools/build_default_store.py writes it; a test checks that it
equals a fresh build from the bundled files, row for row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import lzma
import os
import sqlite3
from importlib.resources import files
from pathlib import Path

SNAPSHOT = "default-store.sqlite.xz"
KEY_FILE = "default-store.key"
#: What the snapshot's content depends on, relative to the package.
_INPUTS = (
    "schema.sql", "loader.py", "migrations.py", "connection.py", "model.py", "defaults.py",
    "ingest", "drugs", "releases",
)  # fmt: skip


def _package() -> Path:
    return Path(str(files("hcpcs")))


def current_key() -> str:
    """A digest of everything the default store's content is made from."""
    root = _package()
    digest = hashlib.sha256()
    for name in _INPUTS:
        path = root / name
        found = sorted(path.rglob("*")) if path.is_dir() else [path] if path.exists() else []
        for item in found:
            if item.is_file() and item.suffix in (".py", ".sql", ".json", ".csv") and item.name != KEY_FILE:
                digest.update(item.relative_to(root).as_posix().encode())
                digest.update(item.read_bytes())
    return digest.hexdigest()


def snapshot_usable() -> bool:
    """Whether the shipped snapshot was built from exactly this package's files and code."""
    root = _package() / "releases"
    key = root / KEY_FILE
    return (root / SNAPSHOT).is_file() and key.is_file() and key.read_text().strip() == current_key()


def install_snapshot(target: Path) -> None:
    """Write the snapshot's store to `target` (a new file), its releases stamped as loaded now."""
    source = _package() / "releases" / SNAPSHOT
    with lzma.open(source) as packed, open(target, "xb") as out:
        while piece := packed.read(4 * 1024 * 1024):
            out.write(piece)
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        connection.execute("UPDATE releases SET loaded_at = ?", (now,))
        connection.execute("UPDATE drug_files SET loaded_at = ?", (now,))
    finally:
        connection.close()


def write_snapshot(store_file: Path) -> Path:
    """Compress a freshly built default store into the package, with its key (for the build tool)."""
    root = _package() / "releases"
    connection = sqlite3.connect(store_file, isolation_level=None)
    try:
        connection.execute("UPDATE releases SET loaded_at = '1970-01-01T00:00:00+00:00'")
        connection.execute("UPDATE drug_files SET loaded_at = '1970-01-01T00:00:00+00:00'")
        connection.execute("VACUUM")
    finally:
        connection.close()
    target = root / SNAPSHOT
    temporary = target.with_suffix(".partial")
    with open(store_file, "rb") as raw, lzma.open(temporary, "wb", preset=6) as packed:
        while piece := raw.read(4 * 1024 * 1024):
            packed.write(piece)
    os.replace(temporary, target)
    (root / KEY_FILE).write_text(current_key() + "\n")
    return target
