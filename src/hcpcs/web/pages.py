"""Server-rendered HTML pages: home, search, code pages, history, releases, diffs, categories, fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from hcpcs import __version__
from hcpcs.errors import UnknownReleaseError
from hcpcs.render.html import environment
from hcpcs.render.pages import STATUS_LEGEND, ServerUrls, code_page_context, section_codes, section_key
from hcpcs.store import Store
from hcpcs.web.app import MAX_PAGE_SIZE, MAX_QUERY_LENGTH
from hcpcs.web.deps import date_or_none, store

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


URLS = ServerUrls()


def render(template: str, **context) -> HTMLResponse:
    context.setdefault("urls", URLS)
    context.setdefault("legend", STATUS_LEGEND)
    return HTMLResponse(environment().get_template(template).render(version=__version__, **context))


def past_the_data(db: Store, on: str | None) -> str | None:
    """The banner when the date asked (or today, when none is) is past the newest release's quarter."""
    return db.currency(on).message


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/", response_class=HTMLResponse)
def home(db: Store = Depends(store)) -> HTMLResponse:
    releases = db.releases()
    newest_first = [(r, releases[n - 1] if n else None) for n, r in enumerate(releases)][::-1]
    sections = sorted(db.codebook.sections, key=lambda s: (s.first, s.last))
    return render("home.html", releases=newest_first, sections=sections, banner=past_the_data(db, None), query="")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    release: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    include_terminated: bool = False,
    db: Store = Depends(store),
) -> HTMLResponse:
    result = db.search(q, limit=limit, offset=offset, release=release, include_terminated=include_terminated)
    as_of = db.release_info(result.release)["effective_date"]
    return render("search.html", result=result, query=q, offset=offset, limit=limit, as_of=as_of,
                  include_terminated=include_terminated)  # fmt: skip


@router.get("/codes/{code}", response_class=HTMLResponse)
def code_page(
    code: str,
    release: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    on: Annotated[str | None, Query(max_length=10)] = None,
    db: Store = Depends(store),
) -> HTMLResponse:
    date = date_or_none(on, "on")
    page = db.lookup(code, release, on=date)
    banner = past_the_data(db, date) if date else None
    return render("code_page.html", **code_page_context(db, page, URLS, on=date, banner=banner))


@router.get("/codes/{code}/history", response_class=HTMLResponse)
def history_page(code: str, db: Store = Depends(store)) -> HTMLResponse:
    from hcpcs.codebook import load_codebook
    from hcpcs.render.diff import field_change

    line = db.history(code)
    if not line.releases:
        db.lookup(code)
    book = load_codebook()
    events = [(e, [field_change(book, name, *values) for name, values in e.changes.items()]) for e in line.events]
    return render("history.html", line=line, events=events, chain=db.replacements(line.code), query="")


@router.get("/releases", response_class=HTMLResponse)
def releases_page(db: Store = Depends(store)) -> HTMLResponse:
    return render("releases.html", releases=db.releases(), query="")


@router.get("/diff/{old}/{new}", response_class=HTMLResponse)
def diff_page(old: str, new: str, db: Store = Depends(store)) -> HTMLResponse:
    from hcpcs.render.diff import diff_in_words

    result = db.diff(old, new)
    return render("diff.html", result=result, groups=diff_in_words(db, result), query="")


@router.get("/definitions", response_class=HTMLResponse)
def definitions_page(db: Store = Depends(store)) -> HTMLResponse:
    return render("definitions.html", codebook=db.codebook, query="")


@router.get("/categories/{section_id}", response_class=HTMLResponse)
def category_page(section_id: str, db: Store = Depends(store)) -> HTMLResponse:
    book = db.codebook
    section = next((s for s in book.sections if section_key(s) == section_id.upper()), None)
    if section is None:
        raise UnknownReleaseError(f"no category {section_id!r} (the home page lists them)")
    release = db.latest_release()
    codes = section_codes(db, section, release)
    return render(
        "category.html",
        heading=f"{section.first}–{section.last}: {section.name}",
        intro=f"{len(codes):,} codes in force in release {release}.",
        codes=codes,
        release=release,
        query="",
    )
