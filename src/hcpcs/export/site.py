"""A static site of one release: a page per code and modifier (the server's code page
template), an index, a page per first letter and per category, and a client-side search over
a prebuilt index. Links are relative, so it works opened from disk and from any static server.

    site/index.html  search.html  search-index.js
    site/codes/S9329.html  site/letters/S.html  site/categories/S0000-S9999.html
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hcpcs import __version__
from hcpcs.errors import InputError
from hcpcs.render.html import environment
from hcpcs.render.pages import SiteUrls, code_page_context, section_key
from hcpcs.store import Store

#: The letter page of modifiers (two-character codes).
MODIFIERS = "modifiers"


@dataclass(frozen=True)
class SiteResult:
    pages: int
    seconds: float


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(str(out), None, "is a file; the site needs a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise InputError(str(out), None, "is a non-empty directory that holds no site; choose an empty one")
    for folder in ("codes", "letters", "categories"):
        (out / folder).mkdir(parents=True, exist_ok=True)


def write_site(store: Store, label: str, out: Path) -> SiteResult:
    """Write the site of release `label` into directory `out`; returns how many pages."""
    started = time.perf_counter()
    _prepare(out)
    templates = environment()
    codes = store.codes(label)
    below, top = SiteUrls(1, frozenset(codes)), SiteUrls(0, frozenset(codes))

    def write(path: str, template: str, **context) -> None:
        html = templates.get_template(template).render(version=__version__, query="", **context)
        (out / path).write_text(html, encoding="utf-8")

    index, groups, sections = [], {}, {}
    code_page = templates.get_template("code_page.html")
    for code in codes:
        page = store.lookup(code, label)
        html = code_page.render(version=__version__, **code_page_context(store, page, below))
        (out / "codes" / f"{code}.html").write_text(html, encoding="utf-8")
        index.append([code, page.short_description or "", page.long_description or "", page.status])
        letter = MODIFIERS if page.kind == "modifier" else code[0]
        groups.setdefault(letter, []).append((code, page.short_description))
        if page.category:
            sections.setdefault(page.category, []).append((code, page.short_description))
    release = next(r for r in store.releases() if r.release == label)
    for letter, listed in groups.items():
        heading = "Modifiers" if letter == MODIFIERS else f"Codes starting with {letter}"
        write(f"letters/{letter}.html", "category.html", urls=below, heading=heading,
              intro=f"{len(listed)} codes in release {label}.", codes=listed, release=label)  # fmt: skip
    counts = Counter()
    for section in store.codebook.sections:
        listed = sections.get(section.name, [])
        if not listed:
            continue
        counts[section_key(section)] = len(listed)
        write(f"categories/{section_key(section)}.html", "category.html", urls=below,
              heading=f"{section.first}–{section.last}: {section.name}",
              intro=f"{len(listed)} codes in release {label}.", codes=listed, release=label)  # fmt: skip
    letters = sorted((letter, len(listed)) for letter, listed in groups.items())
    shown_sections = [
        (section_key(s), s, counts[section_key(s)]) for s in store.codebook.sections if counts[section_key(s)]
    ]
    write("index.html", "site_home.html", urls=top, release=release, letters=letters, sections=shown_sections)
    write("search.html", "site_search.html", urls=top, release=label)
    payload = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    (out / "search-index.js").write_text(f"window.HCPCS_INDEX = {payload};\n", encoding="utf-8")
    pages = len(codes) + len(groups) + len(counts) + 2
    return SiteResult(pages, time.perf_counter() - started)
