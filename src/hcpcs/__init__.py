"""hcpcs: the open HCPCS Level II reference system.

import hcpcs
store = hcpcs.open()             # the default store, built from the bundled releases
store.get("S9329")               # the latest release's record
store.releases()                 # every stored release, oldest first
"""

from __future__ import annotations

from pathlib import Path

from hcpcs.errors import (
    HcpcsError,
    InputError,
    MalformedCodeError,
    ReleaseExistsError,
    ReleasesRefusedError,
    StoreError,
    UnknownCodeError,
    UnknownReleaseError,
)
from hcpcs.model import FIELD_NAMES, CodeRecord, Release, Source
from hcpcs.page import Code, FieldValue
from hcpcs.store import Store

__version__ = "0.1.0"


def __getattr__(name: str):
    # The loader pulls in every file reader; only `load` needs it, so import it late.
    if name == "LoadResult":
        from hcpcs.loader import LoadResult

        return LoadResult
    raise AttributeError(f"module 'hcpcs' has no attribute {name!r}")


def open(path: str | Path | None = None) -> Store:  # noqa: A001 - the API users expect
    """Open a store read-only: the given file, else $HCPCS_DB, else the default store."""
    from hcpcs.defaults import chosen_store_path, ensure_default_store

    chosen, is_default = chosen_store_path(path)
    if is_default:
        ensure_default_store()
    return Store(chosen)


__all__ = [
    "FIELD_NAMES",
    "Code",
    "CodeRecord",
    "FieldValue",
    "MalformedCodeError",
    "UnknownCodeError",
    "HcpcsError",
    "InputError",
    "LoadResult",
    "Release",
    "ReleaseExistsError",
    "ReleasesRefusedError",
    "Source",
    "Store",
    "StoreError",
    "UnknownReleaseError",
    "open",
]
