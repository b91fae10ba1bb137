"""Helpers of the drug tests: the bundled quarters as CMS-layout files, stores holding them, and
the real CMS files where this machine has them (../shared/data/asp)."""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import hcpcs
from hcpcs.drugs.bundled import load_bundled, manifest
from hcpcs.store import Store

DRUGS = Path(hcpcs.__file__).parent / "releases" / "drugs"
ENTRIES = manifest()["files"]
QUARTERS = sorted({entry["quarter"] for entry in ENTRIES})


def _asp_folder() -> Path | None:
    """CMS's own files (with their Level I rows): $HCPCS_ASP_DIR, or ../shared/data/asp of a checkout."""
    candidates = [os.environ.get("HCPCS_ASP_DIR"), *(p / "shared" / "data" / "asp" for p in Path(__file__).parents)]
    return next((Path(c) for c in candidates if c and Path(c, "README.md").is_file()), None)


ASP = _asp_folder()


def entry(quarter: str, kind: str) -> dict:
    return next(e for e in ENTRIES if e["quarter"] == quarter and e["kind"] == kind)


def extract(quarter: str, kind: str) -> bytes:
    """A bundled quarter file as the CSV it is (CMS's layout, Level I rows blanked)."""
    return gzip.decompress((DRUGS / entry(quarter, kind)["file"]).read_bytes())


def write_extract(folder: Path, quarter: str, kind: str, name: str | None = None, data: bytes | None = None) -> Path:
    """A bundled quarter file written out as a CSV (under CMS's name unless another is given)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or entry(quarter, kind)["source"]["file"])
    path.write_bytes(extract(quarter, kind) if data is None else data)
    return path


def store_with_drugs(folder: Path, full_store: Path) -> Path:
    """A copy of the full test store (every bundled release) with the bundled drug quarters loaded."""
    path = folder / "drugs.sqlite"
    shutil.copyfile(full_store, path)
    with Store(path, write=True) as store:
        load_bundled(store.drugs)
    return path


def drug_tables_dump(path: Path) -> list:
    """Every row of every drug table: to check a refused load changed nothing."""
    with Store(path) as store:
        return [
            store.connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
            for table in ("drug_files", "drug_sources", "drug_payment_limits", "drug_crosswalk", "drug_warnings")
        ]


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """`hcpcs serve` over the store in its own process on a loopback port; yields its URL."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "hcpcs", "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v1/releases", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"server did not start: {process.stderr.read().decode()}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
