"""`hcpcs update` against a local HTTP server serving the bundled zips (nothing leaves the machine)."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hcpcs.store import Store

from conftest import ZIP_2019, ZIP_2020, run_cli


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def mirror(tmp_path):
    """A web page listing CMS release zips, like CMS's quarterly update page, on 127.0.0.1."""
    site = tmp_path / "site"
    (site / "files").mkdir(parents=True)
    for zip_path in (ZIP_2019, ZIP_2020):
        shutil.copy(zip_path, site / "files" / zip_path.name)
    (site / "index.html").write_text(
        "<html><body><h1>HCPCS Quarterly Update</h1><ul>"
        f'<li><a href="files/{ZIP_2019.name}">2019 Alpha-Numeric HCPCS File</a></li>'
        f'<li><a href="/files/{ZIP_2020.name}">2020 Alpha-Numeric HCPCS File</a></li>'
        '<li><a href="other.html">not a release</a></li></ul></body></html>'
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def test_update_from_a_web_page_loads_what_is_missing(mirror, tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path, write=True) as store:
        store.load([ZIP_2019])
    result = run_cli("--db", str(path), "update", "--from", mirror)
    assert result.returncode == 0, result.stderr
    assert f"already stored: {ZIP_2019.name}" in result.stderr
    assert "2020-01" in result.stdout and "loaded" in result.stdout
    with Store(path) as store:
        assert store.release_labels() == ["2019-01", "2020-01"]
    again = run_cli("--db", str(path), "update", "--from", mirror)
    assert again.returncode == 0
    assert "no new releases" in again.stderr


def test_update_from_a_folder(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(ZIP_2020, folder)
    path = tmp_path / "s.sqlite"
    with Store(path, write=True) as store:
        store.load([ZIP_2019])
    result = run_cli("--db", str(path), "update", "--from", str(folder))
    assert result.returncode == 0, result.stderr
    with Store(path) as store:
        assert store.release_labels() == ["2019-01", "2020-01"]


def test_unreachable_source_is_a_clean_error(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path, write=True) as store:
        store.load([ZIP_2020])
    result = run_cli("--db", str(path), "update", "--from", "http://127.0.0.1:9/none.html")
    assert result.returncode == 2
    assert result.stderr.startswith("error: http://127.0.0.1:9/none.html: cannot download")
    assert "Traceback" not in result.stderr
    missing = run_cli("--db", str(path), "update", "--from", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr
