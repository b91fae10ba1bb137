"""Shared fixtures: the bundled official CMS files and stores built from them."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

import hcpcs
from hcpcs.store import Store

BUNDLED = Path(hcpcs.__file__).parent / "releases"
ZIP_2019 = BUNDLED / "2019-01" / "2019-Alpha-Numeric-HCPCS-File.zip"
ZIP_2020 = BUNDLED / "2020-01" / "2020-Alpha-Numeric-HCPCS-File.zip"
NOC_2019 = BUNDLED / "2019-01" / "2019-HCPCS-NOC-Codes.zip"
QUARTERS = {label: BUNDLED / label for label in ("2020-04", "2020-07", "2020-10")}
#: The bundled releases, oldest first, as the manifest lists them (2026-07 the newest).
BUNDLED_LABELS = [entry["release"] for entry in json.loads((BUNDLED / "MANIFEST.json").read_text())["releases"]]


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


def run_on_terminal(*args: str, env: dict[str, str], until: str | None = None, timeout: float = 120) -> str:
    """Run `hcpcs` with a pseudo-terminal as its stdout and stderr, as a user at a terminal sees
    it; return what it printed. With `until`, stop it as soon as that text shows."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "hcpcs", *args], stdin=secondary, stdout=secondary, stderr=secondary,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100", **env}, start_new_session=True,
    )  # fmt: skip
    os.close(secondary)
    shown, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([primary], [], [], 0.2)[0]:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:  # the terminal closed: the process has ended
                    break
                shown += chunk
                if until and until.encode() in shown:
                    break
            elif process.poll() is not None:
                break
    finally:
        if process.poll() is None:  # stopped early: its worker processes (a store build's readers) too
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        os.close(primary)
    return shown.decode("utf-8", "replace")


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(store: Path) -> Iterator[str]:
    """`hcpcs serve` on a store, in its own process on a loopback port; yields its base URL."""
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hcpcs", "--db", str(store), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{url}/api/v1/releases", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {process.stderr.read().decode()}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(scope="session", autouse=True)
def private_directories(tmp_path_factory):
    """Caches and the default store in temporary directories: tests never touch ~/.cache or ~/.local/share."""
    root = tmp_path_factory.mktemp("home")
    saved = {name: os.environ.get(name) for name in ("HCPCS_CACHE", "XDG_CACHE_HOME", "XDG_DATA_HOME")}
    os.environ.update(HCPCS_CACHE=str(root / "hcpcs-cache"), XDG_CACHE_HOME=str(root / "cache"),
                      XDG_DATA_HOME=str(root / "data"))  # fmt: skip
    yield root
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _spark_missing() -> str | None:
    """Why the Spark test group cannot run here (the CLI's own words), or None."""
    from hcpcs.claims.spark_engine import require_spark
    from hcpcs.errors import MissingDependencyError

    try:
        require_spark()
    except MissingDependencyError as missing:
        return f"{missing} (tools/install-test-deps installs what is missing)"
    return None


def pytest_collection_modifyitems(config, items):
    """Tests marked `spark` are skipped, saying why, where PySpark or Java is missing."""
    spark = [item for item in items if item.get_closest_marker("spark")]
    reason = _spark_missing() if spark else None
    for item in spark if reason else []:
        item.add_marker(pytest.mark.skip(reason=reason))


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


@pytest.fixture(scope="session")
def served_store(full_store, tmp_path_factory) -> Path:
    """What the shared server serves: every bundled release and drug quarter, as the default store."""
    from drugs_support import store_with_drugs

    return store_with_drugs(tmp_path_factory.mktemp("served"), full_store)


@pytest.fixture(scope="session")
def server(served_store):
    """`hcpcs serve` in its own process on a loopback port, shared by the test modules, stopped at the end."""
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hcpcs", "--db", str(served_store), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/releases", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"server did not start: {process.stderr.read().decode()}")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def client(server):
    import httpx

    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    """Real headless Chromium (Debian's), driven by Playwright, shared by the session's browser tests."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed (tools/install-test-deps installs it)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class _Cells(HTMLParser):
    """The text of every cell (label included) of the fields and summary tables, row by row,
    without the definitions behind a disclosure."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.table: str | None = None
        self.cell: list[str] | None = None
        self.skip = False  # inside a definition's disclosure

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and ({"fields", "summary"} & set(classes)):
            self.table = classes[0]
        elif tag == "tr" and self.table:
            self.rows.append([])
        elif tag in ("td", "th") and self.table and self.rows:
            self.cell = []
        elif tag == "details":
            self.skip = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "details":
            self.skip = False

    def handle_data(self, data):
        if self.cell is not None and not self.skip:
            self.cell.append(data)


def cells(html: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(html)
    return [row for row in parser.rows if row]


@pytest.fixture(scope="session")
def site(full_store, tmp_path_factory):
    """The static site of release 2020-10, exported by the real CLI."""
    out = tmp_path_factory.mktemp("site") / "hcpcs-site"
    result = run_cli("--db", str(full_store), "export", "--format", "site", "--release", "2020-10", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out
