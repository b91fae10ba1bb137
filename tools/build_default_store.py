"""Rebuild the prebuilt default store shipped in the package (releases/default-store.sqlite.xz).

Run it whenever the bundled releases, the schema or the code that reads CMS files changes; a
test fails until the snapshot matches a fresh build again.

    python tools/build_default_store.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hcpcs.defaults import bundled_manifest, load_everything_bundled
from hcpcs.snapshot import write_snapshot
from hcpcs.store import Store


def main() -> None:
    labels = [entry["release"] for entry in bundled_manifest()["releases"]]
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder) / "default.sqlite"
        with Store(built, write=True) as store:
            load_everything_bundled(store, labels)
        target = write_snapshot(built)
    print(f"{target}: {target.stat().st_size:,} bytes ({', '.join(labels)})")


if __name__ == "__main__":
    main()
