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


def _read_bundled(label: str, root: Path, entry: dict):
    """Read one bundled release after checking each file against the manifest."""
    from hcpcs.ingest import read_releases

    for item in entry["files"]:
        path = root / item["file"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != item["sha256"]:
            raise StoreError(f"{path}: bundled file is damaged (sha256 {digest} != manifest)")
    # Read the release's folder, so sources are stored as "2020-10/anweb.xlsx".
    releases = read_releases([root / label], label)
    for data in releases:
        apply_derivation(data, entry, root)
    return releases


def apply_derivation(data, entry: dict, root: Path) -> None:
    """A lean bundle stands for CMS's own zip: record that zip as the source (so loading it later
    finds the release already stored) and keep the left-out workbook's disagreements as notes."""
    from hcpcs.ingest.sources import Origin

    derived = entry.get("derived_from")
    if not derived:
        return
    data.origins = [Origin(root / entry["files"][0]["file"], derived["sha256"], derived["file"])]
    for item in derived["left_out"]:
        data.warnings.append(
            f"{derived['file']}/{item['member']}: left out of the bundled copy ({item['bytes']:,} bytes, "
            f"sha256 {item['sha256']}): {item['why']}; the disagreements follow"
        )
        data.warnings.extend(f"{derived['file']}/{item['member']}: {line}" for line in item["disagreements"])


def load_bundled(store, labels: list[str], progress: Callable[[str], None] | None = None) -> None:
    """Load bundled releases into a writable store: read on the other cores while storing."""
    from concurrent.futures import ProcessPoolExecutor

    from hcpcs.loader import store_releases

    entries = {entry["release"]: entry for entry in bundled_manifest()["releases"]}
    workers = min(len(labels), os.cpu_count() or 1)
    with as_file(files("hcpcs") / "releases") as root, ExitStack() as stack:
        reader = stack.enter_context(ProcessPoolExecutor(workers)).map if workers > 1 else map
        for read in reader(_read_bundled, labels, [Path(root)] * len(labels), [entries[x] for x in labels]):
            store_releases(store.connection, read, progress=progress)


def build_new_default(target: Path, labels: list[str], progress: Callable[[str], None] | None = None) -> None:
    """Write a new default store at `target`: the prebuilt snapshot when it matches this package
    (under a second), else a build from the bundled files."""
    from hcpcs.snapshot import install_snapshot, snapshot_usable
    from hcpcs.store import Store

    if snapshot_usable():
        install_snapshot(target)
        return
    with Store(target, write=True) as store:
        load_everything_bundled(store, labels, progress)


def load_everything_bundled(store, labels: list[str], progress: Callable[[str], None] | None = None) -> None:
    """The bundled HCPCS releases named, and every bundled drug quarter, into a writable store."""
    from hcpcs.drugs.bundled import load_bundled as load_bundled_drugs

    load_bundled(store, labels, progress)
    load_bundled_drugs(store.drugs)


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
    from hcpcs.store import Store

    path = default_store_path()
    missing = _missing_bundled(path)
    if not missing and not _missing_bundled_drugs(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with Store(path, write=True) as store:
            load_everything_bundled(store, missing, progress)
        return path
    handle, temporary = tempfile.mkstemp(prefix=".hcpcs-", suffix=".building", dir=path.parent)
    os.close(handle)
    os.unlink(temporary)
    try:
        build_new_default(Path(temporary), missing, progress)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path
