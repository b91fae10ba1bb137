"""What the server's pages and the static site share: where links point, and the context of a
code page and of a list of codes. Templates call `urls.code(...)` and friends, never paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from hcpcs.page import contacts, describe_last_update, long_date, shown_fields

if TYPE_CHECKING:
    from hcpcs.codebook import Section
    from hcpcs.page import Code, FieldValue
    from hcpcs.store import Store

#: The status legend every page with statuses shows (our words; CMS calls a code in force "Actual").
STATUS_LEGEND = (
    ("Actual", "in force on the date shown: added on or before it and not terminated before it."),
    ("Terminated", "no longer valid: its termination date (the last day it was valid) is before the date shown. "
                   "CMS keeps terminated codes in the file for four years."),
    ("Not yet effective", "its added date is after the date shown."),
)  # fmt: skip


#: Fields the page's head and card show (the code, its descriptions): the field table leaves them out.
HEAD_FIELDS = ("code", "long_description", "short_description")


def section_key(section: Section) -> str:
    return f"{section.first}-{section.last}"


def status_class(status: str) -> str:
    """The CSS class of a status badge: status-actual, status-terminated, status-not-yet-effective."""
    return "status-" + status.lower().replace(" ", "-")


class ServerUrls:
    """Links of the web server (`hcpcs serve`)."""

    static = False
    suggest = "/api/v1/suggest"
    top = "/"

    def home(self) -> str:
        return "/"

    def asset(self, name: str) -> str:
        return f"/static/{name}"

    def releases(self) -> str:
        return "/releases"

    def release(self, label: str) -> str:
        return f"/releases#{label}"

    def code(self, code: str) -> str | None:
        return f"/codes/{code}"

    def code_in(self, code: str, release: str) -> str | None:
        return f"/codes/{code}?release={release}"

    def json(self, code: str, release: str) -> str | None:
        return f"/api/v1/codes/{code}?release={release}"

    def history(self, code: str) -> str | None:
        return f"/codes/{code}/history"

    def category(self, section: str) -> str:
        return f"/categories/{section}"

    def search(self) -> str:
        return "/search"

    def definitions(self) -> str:
        return "/definitions"

    def definition(self, name: str) -> str:
        return f"/definitions#{name}"

    def docs(self) -> str | None:
        return "/docs"


@dataclass
class SiteUrls:
    """Links of the static site: relative, so it works from disk and under any path. `depth`:
    how many folders below the site's top the page is; `codes`: the codes that have a page."""

    depth: int = 0
    codes: frozenset[str] = field(default_factory=frozenset)
    static = True
    suggest = None

    @property
    def top(self) -> str:
        return "../" * self.depth

    def home(self) -> str:
        return f"{self.top}index.html"

    def asset(self, name: str) -> str:
        return f"{self.top}static/{name}"

    def releases(self) -> str:
        return f"{self.top}index.html#release"

    def release(self, label: str) -> str:
        return self.releases()

    def code(self, code: str) -> str | None:
        return f"{self.top}codes/{code}.html" if code in self.codes else None

    def code_in(self, code: str, release: str) -> str | None:
        return self.code(code)

    def json(self, code: str, release: str) -> str | None:
        return None

    def history(self, code: str) -> str | None:
        return None  # a site holds one release

    def category(self, section: str) -> str:
        return f"{self.top}categories/{section}.html"

    def letter(self, letter: str) -> str:
        return f"{self.top}letters/{letter}.html"

    def search(self) -> str:
        return f"{self.top}search.html"

    def definitions(self) -> str:
        return f"{self.top}definitions.html"

    def definition(self, name: str) -> str:
        return f"{self.top}definitions.html#{name}"

    def docs(self) -> str | None:
        return None


def field_head(row: FieldValue, urls: ServerUrls | SiteUrls | None) -> Markup:
    """A field row's head cell: the label, linked to its definition; the definition in place on the server."""
    href = urls.definition(row.name) if urls else None
    return _field_head(row.label, href, None if urls is not None and urls.static else row.definition)


@lru_cache(maxsize=1024)
def _field_head(label: str, href: str | None, definition: str | None) -> Markup:
    # The same ~60 heads on every page: built once, not escaped again on each of 7,000 pages.
    html = Markup('<a href="{}">{}</a>').format(href, label) if href else escape(label)
    if definition:
        html += Markup('<details class="def"><summary>definition</summary><p>{}</p></details>').format(definition)
    return html


def _words(values: list[str], meanings: list[str | None]) -> str:
    return "; ".join(
        f"{meaning} ({value})" if meaning else value for value, meaning in zip(values, meanings, strict=True)
    )


def code_card(page: Code, urls: ServerUrls | SiteUrls | None) -> list[tuple[str, str, str | None]]:
    """The summary card, in words: (label, text, link) for status, coverage, pricing, category, last change."""
    rows: list[tuple[str, str, str | None]] = []
    as_of = long_date(page.status_date) if page.status_date else None
    added = long_date(page.added_date) if page.added_date else None
    if page.status == "Terminated":
        status = f"Terminated: last valid on {as_of}"
    elif page.status == "Not yet effective":
        status = f"Not yet effective: takes effect {as_of}"
    else:
        status = f"Actual: in force since {added}" if added else "Actual"
        if page.termination_date:
            status += f"; last valid on {long_date(page.termination_date)}"
    rows.append(("Status", status, None))
    if page.replaced_by:
        links = urls.code(page.replaced_by[0]) if urls else None
        note = " (ambiguous: choose one)" if page.replacement_ambiguous else ""
        rows.append(("Replaced by", ", ".join(page.replaced_by) + note, links))
    by_name = {row.name: row for row in page.fields}
    if page.coverage:
        rows.append(("Coverage", _words([page.coverage], [by_name["coverage"].meaning]), None))
    if page.pricing_indicators:
        meanings = [row.meaning for row in page.fields if row.name == "pricing_indicators"]
        rows.append(("Pricing", _words(page.pricing_indicators, meanings), None))
    rows.append(("Category", page.category or "unknown section", None))
    if page.noc:
        rows.append(("Not otherwise classified", f"yes ({page.noc_source})", None))
    if page.last_updated:
        rows.append(("Last updated", describe_last_update(page.last_updated), None))
    return rows


def page_parts(page: Code, urls: ServerUrls | SiteUrls | None, as_of: str) -> dict[str, Any]:
    """What every rendering of the code page shows: head, card, fields, the rest, contacts, legend."""
    shown = [row for row in shown_fields(page) if row.name not in HEAD_FIELDS]
    return {
        "code": page,
        "card": code_card(page, urls),
        "fields": [(row, field_head(row, urls)) for row in shown if row.value is not None],
        "empty": [row for row in shown if row.value is None],
        "as_of": long_date(as_of),
        "contacts": contacts(),
        "legend": STATUS_LEGEND,
        "inline_definitions": urls is None or not urls.static,
        "urls": urls,
    }


def code_page_context(
    db: Store, page: Code, urls: ServerUrls | SiteUrls, on: str | None = None, banner: str | None = None
) -> dict[str, Any]:
    """The context of `code_page.html`: the page's parts, and where its facts link to."""
    parts = page_parts(page, urls, on or db.release_info(page.release)["effective_date"])
    section = next((s for s in db.codebook.sections if s.name == page.category), None)
    if section:
        category = urls.category(section_key(section))
        parts["card"] = [
            (label, text, category if label == "Category" else link) for label, text, link in parts["card"]
        ]
    parts.update(
        banner=banner,
        history_link=urls.history(page.code),
        json_link=urls.json(page.code, page.release),
        query="",
    )
    return parts


def section_codes(db: Store, section: Section, release: str) -> list[tuple[str, str | None]]:
    """(code, short description) of the release's procedure codes in a section, in code order."""
    hits = db.search(f"{section.first}-{section.last}", limit=10_000, release=release).results
    return [(h.code, h.short_description) for h in hits if db.codebook.section(h.code, "procedure") == section.name]
