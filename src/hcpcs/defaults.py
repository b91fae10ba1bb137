"""The default store: in the user data directory, built from the bundled releases on first use."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

from hcpcs.errors import StoreError

ENVIRONMENT_VARIABLE = "HCPCS_DB"
CACHE_VARIABLE = "HCPCS_CACHE"
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


def ensure_default_store(progress: Callable[[str], None] | None = None) -> Path:
    """Build the default store, or add bundled releases it lacks; return its path.

    Built in place, one transaction per release: an interrupted build leaves the releases
    already stored and the next run adds the rest. A store this cannot read is reported,
    never deleted or rebuilt: it may hold releases the user loaded.
    """
    from hcpcs.store import Store

    path = default_store_path()
    wanted = [entry["release"] for entry in bundled_manifest()["releases"]]
    if path.is_file():
        try:
            with Store(path) as store:
                if not set(wanted) - set(store.release_labels()):
                    return path
        except StoreError:
            pass  # absent tables (a build killed before its first commit) or damage: the writer says which
    try:
        with Store(path, write=True) as store:  # waits, saying so, while another process builds it
            stored = set(store.release_labels())
            missing = [label for label in wanted if label not in stored]
            if missing:
                load_bundled(store, missing, progress)
    except StoreError as error:
        raise StoreError(f"{error}; the default store is kept as it is (move it aside to have it rebuilt)") from None
    return path


def cache_directory() -> Path:
    """Where hcpcs keeps what it can rebuild (claim code tables): $HCPCS_CACHE, else the user cache directory."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    from platformdirs import user_cache_path

    return user_cache_path("hcpcs", appauthor=False)
