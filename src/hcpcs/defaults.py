"""The default store: in the user data directory, built from the bundled releases on first use."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

from hcpcs.errors import StoreError

ENVIRONMENT_VARIABLE = "HCPCS_DB"
STORE_FILE = "hcpcs.sqlite"


def default_store_path() -> Path:
    """Where the default store lives (the user data directory)."""
    from platformdirs import user_data_path

    return user_data_path("hcpcs", appauthor=False) / STORE_FILE


def chosen_store_path(db: str | Path | None) -> tuple[Path, bool]:
    """The store to use and whether it is the default one: --db, else HCPCS_DB, else default."""
    if db:
        return Path(db), False
    if os.environ.get(ENVIRONMENT_VARIABLE):
        return Path(os.environ[ENVIRONMENT_VARIABLE]), False
    return default_store_path(), True


def bundled_manifest() -> dict:
    """The manifest of the official files shipped in the package."""
    return json.loads((files("hcpcs") / "releases" / "MANIFEST.json").read_text(encoding="utf-8"))


def _missing_bundled(path: Path) -> list[str]:
    from hcpcs.store import Store

    wanted = [entry["release"] for entry in bundled_manifest()["releases"]]
    if not path.exists():
        return wanted
    try:
        with Store(path) as store:
            stored = set(store.release_labels())
    except StoreError:
        # The default store is ours, built from bundled files: one of an older schema is rebuilt.
        path.unlink()
        return wanted
    return [label for label in wanted if label not in stored]


def _read_bundled(label: str, root: Path, files_of_release: list[dict]):
    """Read one bundled release after checking each file against the manifest."""
    from hcpcs.ingest import read_releases

    for item in files_of_release:
        path = root / item["file"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != item["sha256"]:
            raise StoreError(f"{path}: bundled file is damaged (sha256 {digest} != manifest)")
    # Read the release's folder, so sources are stored as "2020-10/anweb.xlsx".
    return read_releases([root / label], label)


def load_bundled(store, labels: list[str], progress: Callable[[str], None] | None = None) -> None:
    """Load bundled releases into a writable store: read on the other cores while storing."""
    from concurrent.futures import ProcessPoolExecutor

    from hcpcs.loader import store_releases

    entries = {entry["release"]: entry["files"] for entry in bundled_manifest()["releases"]}
    workers = min(len(labels), os.cpu_count() or 1)
    with as_file(files("hcpcs") / "releases") as root, ExitStack() as stack:
        reader = stack.enter_context(ProcessPoolExecutor(workers)).map if workers > 1 else map
        for read in reader(_read_bundled, labels, [Path(root)] * len(labels), [entries[x] for x in labels]):
            store_releases(store.connection, read, progress=progress)


def _missing_bundled_drugs(path: Path) -> bool:
    """Whether the store lacks a bundled drug quarter file (hcpcs.drugs.bundled)."""
    from hcpcs.drugs.bundled import missing_bundled
    from hcpcs.store import Store

    with Store(path) as store:
        return bool(missing_bundled(store.drugs))


def ensure_default_store(progress: Callable[[str], None] | None = None) -> Path:
    """Build the default store, or add bundled releases it lacks; return its path.

    A first build writes to a temporary file renamed into place, so an interrupted
    build never leaves a half store behind.
    """
    from hcpcs.drugs.bundled import load_bundled as load_bundled_drugs
    from hcpcs.store import Store

    path = default_store_path()
    missing = _missing_bundled(path)
    if not missing and not _missing_bundled_drugs(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with Store(path, write=True) as store:
            load_bundled(store, missing, progress)
            load_bundled_drugs(store.drugs)
        return path
    handle, temporary = tempfile.mkstemp(prefix=".hcpcs-", suffix=".building", dir=path.parent)
    os.close(handle)
    os.unlink(temporary)
    try:
        with Store(temporary, write=True) as store:
            load_bundled(store, missing, progress)
            load_bundled_drugs(store.drugs)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path
