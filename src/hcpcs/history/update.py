"""Keep a store current: find release files not yet stored in a folder or on a web page, and load them."""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlparse

from hcpcs.errors import HcpcsError, ReleaseExistsError

if TYPE_CHECKING:
    from hcpcs.loader import LoadResult
    from hcpcs.store import Store

#: CMS's page listing the quarterly HCPCS release zips.
CMS_QUARTERLY_PAGE = "https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update"
RELEASE_FILE = re.compile(r"\.(zip|xlsx|xls|txt)$", re.IGNORECASE)
TIMEOUT_SECONDS = 60


class UpdateError(HcpcsError):
    """The update source cannot be read."""


@dataclass(slots=True)
class UpdateReport:
    """What an update found and did."""

    source: str
    loaded: list[LoadResult] = field(default_factory=list)
    already_stored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files that could not be stored, with why


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)


def release_links(page_url: str, html: str) -> list[str]:
    """Absolute URLs of the release files (.zip, workbooks, text) a page links to, in page order."""
    parser = _Links()
    parser.feed(html)
    urls = [urljoin(page_url, link) for link in parser.links]
    return list(dict.fromkeys(url for url in urls if RELEASE_FILE.search(urlparse(url).path)))


def _fetch(url: str) -> bytes:
    from urllib.error import URLError
    from urllib.request import Request, urlopen

    try:
        with urlopen(Request(url, headers={"User-Agent": "hcpcs-update"}), timeout=TIMEOUT_SECONDS) as response:
            return response.read()
    except (URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise UpdateError(f"{url}: cannot download ({reason})") from None


def _stored(store: Store) -> tuple[set[str], set[str]]:
    rows = store.connection.execute("SELECT file, sha256 FROM sources").fetchall()
    return {PurePosixPath(file).name for file, _ in rows}, {sha for _, sha in rows}


def _load_each(store: Store, paths: list[Path], report: UpdateReport) -> None:
    for path in paths:
        try:
            report.loaded.extend(store.load([path]))
        except ReleaseExistsError as error:
            report.skipped.append(f"{path.name}: {error}")


def update(store: Store, source: str | None = None, progress: Callable[[str], None] | None = None) -> UpdateReport:
    """Load the release files in a folder, or linked from a web page (default: CMS's), not yet stored."""
    source = source or CMS_QUARTERLY_PAGE
    report = UpdateReport(source)
    names, hashes = _stored(store)
    if not source.startswith(("http://", "https://")):
        folder = Path(source)
        if not folder.is_dir():
            raise UpdateError(f"{source}: no such folder (give a folder or an http(s) URL)")
        fresh = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and RELEASE_FILE.search(p.name)):
            if hashlib.sha256(path.read_bytes()).hexdigest() in hashes:
                report.already_stored.append(path.name)
            else:
                fresh.append(path)
        _load_each(store, fresh, report)
        return report
    links = release_links(source, _fetch(source).decode("utf-8", "replace"))
    with tempfile.TemporaryDirectory(prefix="hcpcs-update-") as scratch:
        fresh = []
        for url in links:
            name = unquote(PurePosixPath(urlparse(url).path).name)
            if name in names:
                report.already_stored.append(name)
                continue
            if progress:
                progress(f"downloading {name}")
            data = _fetch(url)
            if hashlib.sha256(data).hexdigest() in hashes:
                report.already_stored.append(name)
                continue
            path = Path(scratch) / name
            path.write_bytes(data)
            fresh.append(path)
        _load_each(store, fresh, report)
    return report
