"""Keep a store current: find release files not yet stored in a folder or on a web page, and load them.

What is new is decided by content (sha256), never by file name: CMS re-issues files under old
names and new files under names never seen. Every file or link gets a fate in the report, and
one that cannot be fetched or read does not stop the others.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlparse

from hcpcs.errors import HcpcsError
from hcpcs.history.currency import CMS_QUARTERLY_PAGE

if TYPE_CHECKING:
    from hcpcs.loader import LoadResult
    from hcpcs.store import Store

RELEASE_FILE = re.compile(r"\.(zip|xlsx|xls|txt)$", re.IGNORECASE)
TIMEOUT_SECONDS = 60
#: A linked file larger than this is not a HCPCS release (they are a few MB); it is not fetched whole.
MAX_DOWNLOAD_BYTES = 512 << 20
#: Validators (ETag, Last-Modified) and content hash of each link seen, so unchanged files are not fetched again.
LINKS_FILE = "update-links.json"
LOADED, ALREADY_STORED, SKIPPED = "loaded", "already stored", "skipped"


class UpdateError(HcpcsError):
    """The update source cannot be read."""


@dataclass(frozen=True, slots=True)
class Fate:
    """What happened to one file or link: loaded, already stored, or skipped (with why)."""

    name: str
    fate: str
    detail: str = ""

    def line(self) -> str:
        """One line for the user: 'skipped: name: why'."""
        return f"{self.fate}: {self.name}" + (f": {self.detail}" if self.detail else "")


@dataclass(slots=True)
class UpdateReport:
    """What an update found and did, file by file."""

    source: str
    loaded: list[LoadResult] = field(default_factory=list)
    fates: list[Fate] = field(default_factory=list)

    @property
    def already_stored(self) -> list[str]:
        """Names of the files whose content the store holds already."""
        return [f.name for f in self.fates if f.fate == ALREADY_STORED]

    @property
    def skipped(self) -> list[str]:
        """'name: why' of the files that could not be fetched or stored."""
        return [f"{f.name}: {f.detail}" for f in self.fates if f.fate == SKIPPED]


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


def _open(url: str, headers: dict[str, str] | None = None):
    from urllib.error import HTTPError, URLError
    from urllib.request import Request, urlopen

    try:
        return urlopen(Request(url, headers={"User-Agent": "hcpcs-update", **(headers or {})}), timeout=TIMEOUT_SECONDS)
    except HTTPError as error:
        if error.code == 304:
            return None
        raise UpdateError(f"{url}: cannot download (HTTP {error.code} {error.reason})") from None
    except (URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise UpdateError(f"{url}: cannot download ({reason})") from None


def _fetch_page(url: str) -> str:
    response = _open(url)
    if response is None:
        raise UpdateError(f"{url}: cannot download (not modified, with no copy kept)")
    with response:
        try:
            return response.read(MAX_DOWNLOAD_BYTES).decode("utf-8", "replace")
        except OSError as error:
            raise UpdateError(f"{url}: cannot download ({error})") from None


def _download(url: str, target: Path, known: dict[str, str] | None) -> tuple[str | None, dict[str, str]]:
    """Stream a link to `target`; (its sha256, its validators). (None, ...) when the server says
    it has not changed since `known` (whose sha256 then stands)."""
    conditional = {}
    if known and known.get("sha256"):
        if known.get("etag"):
            conditional["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            conditional["If-Modified-Since"] = known["last_modified"]
    response = _open(url, conditional)
    if response is None:
        return None, {}
    digest, size = hashlib.sha256(), 0
    with response, target.open("wb") as out:
        validators = {"etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified")}
        try:
            while chunk := response.read(1 << 20):
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise UpdateError(f"{url}: larger than {MAX_DOWNLOAD_BYTES >> 20} MB, not a HCPCS release file")
                digest.update(chunk)
                out.write(chunk)
        except OSError as error:
            raise UpdateError(f"{url}: cannot download ({error})") from None
    return digest.hexdigest(), {key: value for key, value in validators.items() if value}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _stored_hashes(store: Store) -> set[str]:
    return {row[0] for row in store.connection.execute("SELECT sha256 FROM sources")}


def _load(store: Store, path: Path, name: str, report: UpdateReport) -> None:
    """Load one file; a file that is not a release, or is damaged, is skipped with the reason."""
    try:
        results = store.load([path])
    except HcpcsError as error:
        detail = str(error).replace(str(path.parent) + "/", "").removeprefix(f"{path.name}: ")
        report.fates.append(Fate(name, SKIPPED, detail))
        return
    report.loaded.extend(results)
    releases = ", ".join(f"{r.release} ({r.status})" for r in results)
    report.fates.append(
        Fate(name, LOADED if any(r.status != "unchanged" for r in results) else ALREADY_STORED, releases)
    )


def update(store: Store, source: str | None = None, progress: Callable[[str], None] | None = None) -> UpdateReport:
    """Load the release files in a folder, or linked from a web page (default: CMS's), not yet stored."""
    source = source or CMS_QUARTERLY_PAGE
    if source.startswith(("http://", "https://")):
        return _from_page(store, source, progress)
    folder = Path(source)
    if not folder.is_dir():
        raise UpdateError(f"{source}: no such folder (give a folder or an http(s) URL)")
    report = UpdateReport(source)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and RELEASE_FILE.search(p.name)):
        name = str(path.relative_to(folder))
        if _file_sha256(path) in _stored_hashes(store):
            report.fates.append(Fate(name, ALREADY_STORED))
        else:
            _load(store, path, name, report)
    return report


def _from_page(store: Store, page: str, progress: Callable[[str], None] | None) -> UpdateReport:
    from hcpcs.defaults import cache_directory

    report = UpdateReport(page)
    try:
        text = _fetch_page(page)
    except UpdateError as error:  # offline, or the page moved: say where the files are and what loads them
        raise UpdateError(
            f"{error}; download the newest release zip from {CMS_QUARTERLY_PAGE} in a browser, "
            "then run `hcpcs load FILE.zip` (or `hcpcs update --from FOLDER`)"
        ) from None
    links = release_links(page, text)
    seen_file = cache_directory() / LINKS_FILE
    seen = _read_seen(seen_file)
    with tempfile.TemporaryDirectory(prefix="hcpcs-update-") as scratch:
        for number, url in enumerate(links):
            name = unquote(PurePosixPath(urlparse(url).path).name) or "download"
            if progress:
                progress(f"checking {name}")
            stored = _stored_hashes(store)
            # Asked "changed since?" only when what the link held last time is stored.
            known = seen.get(url) if seen.get(url, {}).get("sha256") in stored else None
            path = Path(scratch) / str(number) / name
            path.parent.mkdir()
            try:
                digest, validators = _download(url, path, known)
            except UpdateError as error:
                report.fates.append(Fate(name, SKIPPED, str(error)))
                continue
            if digest is None:
                report.fates.append(Fate(name, ALREADY_STORED, "not modified"))
                continue
            seen[url] = {**validators, "sha256": digest}
            if digest in stored:
                report.fates.append(Fate(name, ALREADY_STORED))
            else:
                _load(store, path, name, report)
    _write_seen(seen_file, seen)
    return report


def _read_seen(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_seen(path: Path, seen: dict[str, dict[str, str]]) -> None:
    from hcpcs.atomic import replacing

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as partial:
            partial.write_text(json.dumps(seen, indent=1, sort_keys=True), encoding="utf-8")
    except OSError:
        pass  # an unwritable cache only costs downloading the files again next time
