"""`hcpcs update` decides by content, not file name, reports every link's fate and goes past bad links."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hcpcs.store import Store

from conftest import ZIP_2019, ZIP_2020, make_zip, run_cli, sha256


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def page(tmp_path):
    """A page like CMS's on 127.0.0.1 whose links hold what the test puts in `files`."""
    site = tmp_path / "site"
    (site / "files").mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(names: list[str]) -> str:
        links = "".join(f'<li><a href="files/{name}">{name}</a></li>' for name in names)
        (site / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>")
        return f"http://127.0.0.1:{server.server_address[1]}/index.html"

    yield site / "files", publish
    server.shutdown()
    server.server_close()


def test_update_decides_by_content_and_goes_on_past_bad_links(page, tmp_path):
    files, publish = page
    store = tmp_path / "s.sqlite"
    # 2019's file stored under the name CMS later gives 2020's file: a name match proves nothing.
    misnamed = tmp_path / "2020-Alpha-Numeric-HCPCS-File.zip"
    shutil.copy(ZIP_2019, misnamed)
    assert run_cli("--db", str(store), "load", str(misnamed), "--release", "2019-01").returncode == 0
    shutil.copy(ZIP_2020, files / ZIP_2020.name)  # same name as the stored file, new content
    shutil.copy(ZIP_2019, files / "hcpcs-2019-reissued.zip")  # new name, content already stored
    make_zip(files / "2021-Alpha-Numeric-HCPCS-File.zip", {"readme.txt": b"not a release file"})
    url = publish(["missing.zip", "2021-Alpha-Numeric-HCPCS-File.zip", "hcpcs-2019-reissued.zip", ZIP_2020.name])

    result = run_cli("--db", str(store), "update", "--from", url)

    assert result.returncode == 0, result.stderr
    fates = result.stderr.splitlines()
    assert fates[0].startswith("skipped: missing.zip: ") and "404" in fates[0]
    assert (
        fates[1]
        == "skipped: 2021-Alpha-Numeric-HCPCS-File.zip: no HCPCS release file found (no ANWEB text file or workbook)"
    )
    assert fates[2] == "already stored: hcpcs-2019-reissued.zip"
    assert fates[3] == f"loaded: {ZIP_2020.name}: 2020-01 (loaded)"
    assert "Traceback" not in result.stderr
    with Store(store) as opened:
        assert opened.release_labels() == ["2019-01", "2020-01"]
        assert sha256(ZIP_2020) in {s.sha256 for r in opened.releases() for s in r.sources}


def test_unchanged_links_are_not_fetched_again(page, tmp_path):
    files, publish = page
    store = tmp_path / "s.sqlite"
    shutil.copy(ZIP_2020, files / ZIP_2020.name)
    url = publish([ZIP_2020.name])
    assert run_cli("--db", str(store), "update", "--from", url).returncode == 0
    seen = json.loads((Path(os.environ["HCPCS_CACHE"]) / "update-links.json").read_text())
    assert seen[url.replace("index.html", f"files/{ZIP_2020.name}")]["sha256"] == sha256(ZIP_2020)

    again = run_cli("--db", str(store), "update", "--from", url)

    assert again.returncode == 0, again.stderr
    assert f"already stored: {ZIP_2020.name}: not modified" in again.stderr.splitlines()


def test_a_folder_reports_every_file(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(ZIP_2019, folder)
    (folder / "notes.txt").write_text("nothing to see\n")
    store = tmp_path / "s.sqlite"
    with Store(store, write=True) as opened:
        opened.load([ZIP_2019])

    result = run_cli("--db", str(store), "update", "--from", str(folder))

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert f"already stored: {ZIP_2019.name}" in lines
    assert any(line.startswith("skipped: notes.txt: ") for line in lines), lines
