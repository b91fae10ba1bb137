"""Server-rendered HTML pages: home, search, code pages, history, releases, diffs, categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from hcpcs import __version__
from hcpcs.errors import UnknownReleaseError
from hcpcs.render.html import environment
from hcpcs.render.pages import ServerUrls, code_page_context, section_codes, section_key
from hcpcs.store import Store
from hcpcs.web.app import MAX_PAGE_SIZE, MAX_QUERY_LENGTH
from hcpcs.web.deps import date_or_none, store

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


URLS = ServerUrls()


def render(template: str, **context) -> HTMLResponse:
    context.setdefault("urls", URLS)
    return HTMLResponse(environment().get_template(template).render(version=__version__, **context))


@router.get("/", response_class=HTMLResponse)
def home(db: Store = Depends(store)) -> HTMLResponse:
    return render("home.html", releases=db.releases(), sections=db.codebook.sections, query="")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    release: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    db: Store = Depends(store),
) -> HTMLResponse:
    result = db.search(q, limit=limit, offset=offset, release=release)
    return render("search.html", result=result, query=q, offset=offset, limit=limit)


@router.get("/codes/{code}", response_class=HTMLResponse)
def code_page(
    code: str,
    release: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    on: Annotated[str | None, Query(max_length=10)] = None,
    db: Store = Depends(store),
) -> HTMLResponse:
    page = db.lookup(code, release, on=date_or_none(on, "on"))
    return render("code_page.html", **code_page_context(db, page, URLS))


@router.get("/codes/{code}/history", response_class=HTMLResponse)
def history_page(code: str, db: Store = Depends(store)) -> HTMLResponse:
    line = db.history(code)
    if not line.releases:
        db.lookup(code)
    return render("history.html", line=line, chain=db.replacements(line.code), query="")


@router.get("/releases", response_class=HTMLResponse)
def releases_page(db: Store = Depends(store)) -> HTMLResponse:
    return render("releases.html", releases=db.releases(), query="")


@router.get("/diff/{old}/{new}", response_class=HTMLResponse)
def diff_page(old: str, new: str, db: Store = Depends(store)) -> HTMLResponse:
    result = db.diff(old, new)
    rows = sorted(result.rows(), key=lambda r: (r["change"], r["code"]))
    return render("diff.html", result=result, rows=rows, query="")


@router.get("/categories/{section_id}", response_class=HTMLResponse)
def category_page(section_id: str, db: Store = Depends(store)) -> HTMLResponse:
    book = db.codebook
    section = next((s for s in book.sections if section_key(s) == section_id.upper()), None)
    if section is None:
        raise UnknownReleaseError(f"no section {section_id!r} (see the home page for the list)")
    release = db.latest_release()
    return render(
        "category.html",
        heading=f"{section.first}–{section.last}: {section.name}",
        intro=f"Codes in force in release {release}.",
        codes=section_codes(db, section, release),
        release=release,
        query="",
    )
