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


def load_everything_bundled(store, labels: list[str], progress: Callable[[str], None] | None = None) -> None:
    """The bundled HCPCS releases named, and every bundled drug quarter the store lacks."""
    from hcpcs.drugs.bundled import load_bundled as load_bundled_drugs

    load_bundled(store, labels, progress)
    load_bundled_drugs(store.drugs)


def missing_bundled_drugs(drugs) -> bool:
    """Whether a store's drug tables lack a bundled drug quarter file (hcpcs.drugs.bundled)."""
    from hcpcs.drugs.bundled import missing_bundled

    return bool(missing_bundled(drugs))


def _install_snapshot(path: Path) -> bool:
    """A new default store from the prebuilt snapshot (under a second, against many to build it),
    when the snapshot matches this package. Written beside and linked into place, so a reader
    never sees half a file and a store another process made meanwhile is never replaced."""
    from hcpcs.snapshot import install_snapshot, snapshot_usable

    if not snapshot_usable():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.installing")
    try:
        install_snapshot(temporary)
        os.link(temporary, path)
    except FileExistsError:
        return False  # another process made it first: check it like any existing store
    finally:
        temporary.unlink(missing_ok=True)
    return True


def ensure_default_store(progress: Callable[[str], None] | None = None) -> Path:
    """Build the default store, or add bundled releases it lacks; return its path.

    A new one is the prebuilt snapshot when it matches this package; otherwise it is built in
    place, one transaction per release: an interrupted build leaves the releases
    already stored and the next run adds the rest. A store this cannot read is reported,
    never deleted or rebuilt: it may hold releases the user loaded.
    """
    from hcpcs.store import Store

    path = default_store_path()
    wanted = [entry["release"] for entry in bundled_manifest()["releases"]]
    if path.is_file():
        try:
            with Store(path) as store:
                if not set(wanted) - set(store.release_labels()) and not missing_bundled_drugs(store.drugs):
                    return path
        except StoreError:
            pass  # absent tables (a build killed before its first commit) or damage: the writer says which
    elif _install_snapshot(path):
        return path
    try:
        with Store(path, write=True) as store:  # waits, saying so, while another process builds it
            stored = set(store.release_labels())
            missing = [label for label in wanted if label not in stored]
            if missing or missing_bundled_drugs(store.drugs):
                load_everything_bundled(store, missing, progress)
    except StoreError as error:
        raise StoreError(f"{error}; the default store is kept as it is (move it aside to have it rebuilt)") from None
    return path


def cache_directory() -> Path:
    """Where hcpcs keeps what it can rebuild (claim code tables): $HCPCS_CACHE, else the user cache directory."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    from platformdirs import user_cache_path

    return user_cache_path("hcpcs", appauthor=False)
