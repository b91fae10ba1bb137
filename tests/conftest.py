"""Shared fixtures: the bundled official CMS files and stores built from them."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import hcpcs
from hcpcs.store import Store

BUNDLED = Path(hcpcs.__file__).parent / "releases"
ZIP_2019 = BUNDLED / "2019-01" / "2019-Alpha-Numeric-HCPCS-File.zip"
ZIP_2020 = BUNDLED / "2020-01" / "2020-Alpha-Numeric-HCPCS-File.zip"
NOC_2019 = BUNDLED / "2019-01" / "2019-HCPCS-NOC-Codes.zip"
QUARTERS = {label: BUNDLED / label for label in ("2020-04", "2020-07", "2020-10")}


def zip_member(path: Path, name: str) -> bytes:
    """One file's bytes from a CMS zip."""
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real `hcpcs` command in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "hcpcs", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(scope="session")
def text_2019() -> bytes:
    return zip_member(ZIP_2019, "HCPC2019_CONTR_ANWEB.txt")


@pytest.fixture(scope="session")
def text_2020() -> bytes:
    return zip_member(ZIP_2020, "HCPC2020_ANWEB_w_disclaimer.txt")


@pytest.fixture(scope="session")
def full_store(tmp_path_factory) -> Path:
    """A store holding every bundled release, loaded the way a user would."""
    path = tmp_path_factory.mktemp("full") / "store.sqlite"
    with Store(path, write=True) as store:
        store.load([BUNDLED])
    return path


@pytest.fixture()
def store_2020(tmp_path) -> Path:
    """A fresh store holding only the 2020-01 release (for tests that must not change it)."""
    path = tmp_path / "store.sqlite"
    with Store(path, write=True) as store:
        store.load([ZIP_2020])
    return path
