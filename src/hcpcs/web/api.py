"""REST API under /api/v1: the same JSON objects the CLI prints."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from hcpcs.store import Store
from hcpcs.web.app import MAX_PAGE_SIZE, MAX_QUERY_LENGTH
from hcpcs.web.deps import QUICK_ROWS, date_or_none, off_loop, read
from hcpcs.web.openapi import CODE_PATTERN, DATE_PATTERN, RELEASE_PATTERN, date_schema, problems
from hcpcs.web.pagecache import page_key

router = APIRouter(prefix="/api/v1", tags=["REST"], responses=problems(400))


def _filter_values() -> dict[str, dict[str, list[str]]]:
    """The values each search filter takes, for the OpenAPI document (any case is accepted; an
    unknown value is a 400 naming the valid ones)."""
    from hcpcs.codebook import load_codebook
    from hcpcs.search.filters import categories

    book = load_codebook()
    return {
        "category": {"enum": categories(book)},
        "coverage": {"enum": list(book.values("coverage"))},
        "betos": {"enum": list(book.values("betos"))},
    }


_ENUMS = _filter_values()

Code = Annotated[str, Path(pattern=CODE_PATTERN, description="A code or modifier, any case (S9329, lt)")]
Release = Annotated[str | None, Query(pattern=RELEASE_PATTERN, description="Release label YYYY-MM (default: latest)")]
Label = Annotated[str, Query(pattern=RELEASE_PATTERN, description="Release label YYYY-MM")]
OnDate = Annotated[
    str | None, Query(pattern=DATE_PATTERN, json_schema_extra=date_schema(), description="Date of service YYYY-MM-DD")
]


class Hit(BaseModel):
    code: str
    short_description: str | None
    long_description: str | None
    status: str
    score: float


class SearchResponse(BaseModel):
    query: str
    release: str
    total: int
    results: list[Hit]
    hint: str | None = None


class Suggestion(BaseModel):
    code: str
    short_description: str | None


class Source(BaseModel):
    file: str
    sha256: str


class ReleaseInfo(BaseModel):
    release: str
    effective_date: str
    sources: list[Source]
    procedures: int
    modifiers: int
    loaded_at: str


@router.get(
    "/codes/{code}", summary="A code's page: the canonical record with every field decoded", responses=problems(404)
)
async def get_code(
    request: Request,
    code: Code,
    release: Release = None,
    on: OnDate = None,
    as_known_now: Annotated[
        bool, Query(description="Judge the date by the newest release (CMS's latest word)")
    ] = False,
) -> Response:
    date = date_or_none(on, "on")
    key = page_key(request.scope)
    # The hottest route: pages are kept (and answered before routing, web/pagecache.py); one
    # kept since the front looked is answered here, on the event loop; a page is built off it.
    async with request.app.state.stores.reading("quick") as db:
        pages = request.app.state.pages
        body = pages.find(db.generation, key)
        if body is None:
            body = await off_loop(_page_json, db, code, release, date, as_known_now)
            pages.keep(db.generation, key, body)
    return Response(body, media_type="application/json")


def _page_json(db: Store, code: str, release: str | None, date: str | None, as_known_now: bool = False) -> bytes:
    page = db.lookup(code, release, on=date, as_known_now=as_known_now)
    return json.dumps(page.to_dict(), ensure_ascii=False).encode("utf-8")


@router.get("/codes/{code}/history", summary="A code's timeline across every stored release", responses=problems(404))
async def code_history(request: Request, code: Code) -> JSONResponse:
    def work(db: Store) -> JSONResponse:
        line = db.history(code)
        if not line.releases:
            db.lookup(code)  # raises the 404 with the closest codes
        return JSONResponse({**line.to_dict(), "replacements": db.replacements(line.code).to_dict()})

    return await read(request, work, quick=True)


@router.get(
    "/search",
    response_model=SearchResponse,
    response_model_exclude_none=True,
    summary="Ranked search",
    responses=problems(404),
)
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description="Words, a code, a prefix or a range")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    release: Release = None,
    on: OnDate = None,
    kind: Literal["procedure", "modifier"] | None = None,
    letter: Annotated[str | None, Query(pattern=r"^[A-Za-z]$")] = None,
    category: Annotated[str | None, Query(max_length=200, json_schema_extra=_ENUMS["category"])] = None,
    coverage: Annotated[str | None, Query(max_length=10, json_schema_extra=_ENUMS["coverage"])] = None,
    betos: Annotated[str | None, Query(max_length=10, json_schema_extra=_ENUMS["betos"])] = None,
    include_terminated: bool = False,
) -> JSONResponse:
    date = date_or_none(on, "on")

    def work(db: Store) -> JSONResponse:
        found = db.search(
            q, limit=limit, offset=offset, release=release, on=date, kind=kind, letter=letter, category=category,
            coverage=coverage, betos=betos, include_terminated=include_terminated,
        )  # fmt: skip
        return JSONResponse({key: value for key, value in found.to_dict().items() if value is not None})

    return await read(request, work, quick=limit <= QUICK_ROWS)


@router.get("/suggest", response_model=list[Suggestion], summary="As-you-type suggestions", responses=problems(404))
async def suggest(
    request: Request,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    release: Release = None,
) -> JSONResponse:
    return await read(request, lambda db: JSONResponse(db.suggest(q, limit=limit, release=release)), quick=True)


@router.get("/releases", response_model=list[ReleaseInfo], summary="Stored releases, oldest first")
async def releases(request: Request) -> JSONResponse:
    return await read(request, lambda db: JSONResponse([release.to_dict() for release in db.releases()]), quick=True)


@router.get("/diff", summary="Field-level differences between two releases", responses=problems(404))
async def diff(
    request: Request,
    from_: Annotated[str, Query(alias="from", pattern=RELEASE_PATTERN, description="Release label YYYY-MM")],
    to: Label,
) -> JSONResponse:
    return await read(request, lambda db: JSONResponse(db.diff(from_, to).to_dict()))


@router.get("/codebook", summary="Field labels and definitions, CMS value tables, sections")
async def codebook(request: Request) -> JSONResponse:
    return await read(request, lambda db: JSONResponse(db.codebook.to_dict()))
