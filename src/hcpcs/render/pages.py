"""What the server's pages and the static site share: where links point, and the context of a
code page and of a list of codes. Templates call `urls.code(...)` and friends, never paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hcpcs.render import summary_rows

if TYPE_CHECKING:
    from hcpcs.codebook import Section
    from hcpcs.page import Code
    from hcpcs.store import Store


def section_key(section: Section) -> str:
    return f"{section.first}-{section.last}"


class ServerUrls:
    """Links of the web server (`hcpcs serve`)."""

    static = False

    def home(self) -> str:
        return "/"

    def releases(self) -> str:
        return "/releases"

    def release(self, label: str) -> str:
        return f"/releases#{label}"

    def code(self, code: str) -> str | None:
        return f"/codes/{code}"

    def history(self, code: str) -> str | None:
        return f"/codes/{code}/history"

    def category(self, section: str) -> str:
        return f"/categories/{section}"

    def search(self) -> str:
        return "/search"


@dataclass
class SiteUrls:
    """Links of the static site: relative, so it works from disk and under any path. `depth`:
    how many folders below the site's top the page is; `codes`: the codes that have a page."""

    depth: int = 0
    codes: frozenset[str] = field(default_factory=frozenset)
    static = True

    @property
    def top(self) -> str:
        return "../" * self.depth

    def home(self) -> str:
        return f"{self.top}index.html"

    def releases(self) -> str:
        return f"{self.top}index.html#release"

    def release(self, label: str) -> str:
        return self.releases()

    def code(self, code: str) -> str | None:
        return f"{self.top}codes/{code}.html" if code in self.codes else None

    def history(self, code: str) -> str | None:
        return None  # a site holds one release

    def category(self, section: str) -> str:
        return f"{self.top}categories/{section}.html"

    def letter(self, letter: str) -> str:
        return f"{self.top}letters/{letter}.html"

    def search(self) -> str:
        return f"{self.top}search.html"

    def search_index(self) -> str:
        return f"{self.top}search-index.js"


def code_page_context(db: Store, page: Code, urls: ServerUrls | SiteUrls) -> dict[str, Any]:
    """The context of `code_page.html`: the page, its summary, and where its facts link to."""
    section = next((s for s in db.codebook.sections if s.name == page.category), None)
    links = {f"Cross reference {r.code}": urls.code(r.code) for r in page.references}
    links["Release"] = urls.release(page.release)
    if section:
        links["Category"] = urls.category(section_key(section))
    if page.replaced_by:
        links["Replaced by"] = urls.code(page.replaced_by[0])
    return {
        "code": page,
        "summary": summary_rows(page),
        "links": {label: url for label, url in links.items() if url},
        "category_link": links.get("Category"),
        "history_link": urls.history(page.code),
        "urls": urls,
        "query": "",
    }


def section_codes(db: Store, section: Section, release: str) -> list[tuple[str, str | None]]:
    """(code, short description) of the release's procedure codes in a section, in code order."""
    hits = db.search(f"{section.first}-{section.last}", limit=10_000, release=release).results
    return [(h.code, h.short_description) for h in hits if db.codebook.section(h.code, "procedure") == section.name]
