"""A static site of one release: a page per code and modifier (the server's code page
template), an index, a page per first letter and per category, one page of field definitions
(code pages link to it rather than repeat them), and a client-side search over a prebuilt index
that carries the server's search lexicon. Links are relative, so it works opened from disk and
from any static server.

    site/index.html  search.html  definitions.html  search-index.js  static/ (style, scripts, icon)
    site/codes/S9329.html  site/letters/S.html  site/categories/S0000-S9999.html
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hcpcs import __version__
from hcpcs.errors import InputError
from hcpcs.render.html import environment
from hcpcs.render.pages import STATUS_LEGEND, SiteUrls, code_page_context, section_key
from hcpcs.search.lexicon import load_lexicon
from hcpcs.search.query import STOPWORDS
from hcpcs.store import Store

#: The letter page of modifiers (two-character codes).
MODIFIERS = "modifiers"
#: Processes that write code pages (at most one per core), and codes each is handed at a time.
WORKERS, CHUNK = 4, 500
#: The package's files a site serves itself (web/static).
ASSETS = ("hcpcs.css", "hcpcs.js", "favicon.svg", "site-search.js", "site-results.js")


@dataclass(frozen=True)
class SiteResult:
    pages: int
    seconds: float


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(str(out), None, "is a file; the site needs a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise InputError(str(out), None, "is a non-empty directory that holds no site; choose an empty one")
    for folder in ("codes", "letters", "categories", "static"):
        (out / folder).mkdir(parents=True, exist_ok=True)


def search_index(rows: list[list[str]]) -> str:
    """The client index: every code's row, and the server's lexicon and stop words (so lay terms
    such as "o2 tank" find what the server finds)."""
    lexicon = [
        [" ".join(entry.term), [" ".join(words) for words in entry.alternatives]]
        for entries in load_lexicon().by_first_word.values()
        for entry in entries
    ]
    payload = {"rows": rows, "lexicon": lexicon, "stopwords": sorted(STOPWORDS)}
    return f"window.HCPCS_INDEX = {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))};\n"


def _copy_assets(out: Path) -> None:
    from importlib.resources import as_file, files

    for name in ASSETS:
        with as_file(files("hcpcs") / "web" / "static" / name) as source:
            shutil.copyfile(source, out / "static" / name)


def _write_pages(path: str, label: str, codes: list[str], every_code: frozenset[str], out: Path) -> list[tuple]:
    """Write the pages of some codes (in a worker process with its own read-only store)."""
    store = Store(path)
    code_page = environment().get_template("code_page.html")
    urls = SiteUrls(1, every_code)
    facts = []
    try:
        for code in codes:
            page = store.get(code, label)
            html = code_page.render(version=__version__, **code_page_context(store, page, urls))
            (out / "codes" / f"{code}.html").write_text(html, encoding="utf-8")
            facts.append((code, page.short_description, page.long_description, page.status, page.kind, page.category))
    finally:
        store.close()
    return facts


def _code_pages(store: Store, label: str, codes: list[str], out: Path) -> list[tuple]:
    """Every code's page, written by one process per core; each code's facts for the indexes, in code order."""
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(WORKERS, os.cpu_count() or 1))
    every_code = frozenset(codes)
    if workers == 1 or len(codes) < 2 * CHUNK:
        return _write_pages(str(store.path), label, codes, every_code, out)
    chunks = [codes[start : start + CHUNK] for start in range(0, len(codes), CHUNK)]
    with ProcessPoolExecutor(workers) as pool:
        done = pool.map(
            _write_pages, *zip(*((str(store.path), label, c, every_code, out) for c in chunks), strict=True)
        )
        return [facts for chunk in done for facts in chunk]


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
    for code, short, long, status, kind, category in _code_pages(store, label, codes, out):
        index.append([code, short or "", long or "", status])
        letter = MODIFIERS if kind == "modifier" else code[0]
        groups.setdefault(letter, []).append((code, short))
        if category:
            sections.setdefault(category, []).append((code, short))
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
    write("definitions.html", "definitions.html", urls=top, codebook=store.codebook, legend=STATUS_LEGEND)
    (out / "search-index.js").write_text(search_index(index), encoding="utf-8")
    _copy_assets(out)
    pages = len(codes) + len(groups) + len(counts) + 3
    return SiteResult(pages, time.perf_counter() - started)
