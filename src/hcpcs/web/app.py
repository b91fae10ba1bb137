"""The FastAPI application: one read-only store followed as loads change it, errors as 4xx, never 5xx."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from hcpcs import __version__
from hcpcs.errors import HcpcsError, UnknownCodeError, UnknownReleaseError
from hcpcs.web.deps import StoreProvider, off_loop
from hcpcs.web.http import ApiCors, Hygiene, RequestTooLarge, allowed_methods
from hcpcs.web.openapi import install as install_openapi
from hcpcs.web.pagecache import PageCache, PageCacheFront

#: Limits stated in the OpenAPI document.
MAX_QUERY_LENGTH = 500
MAX_PAGE_SIZE = 500


def status_for(error: HcpcsError) -> int:
    """404 for what the store does not hold, 413 for a body too large, 400 for anything else a client sent wrong."""
    if isinstance(error, (UnknownCodeError, UnknownReleaseError)):
        return 404
    return 413 if isinstance(error, RequestTooLarge) else 400


def problem(status: int, title: str, detail: str, instance: str) -> JSONResponse:
    """An RFC 9457 problem details response."""
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance},
        status_code=status,
        media_type="application/problem+json",
    )


async def error_response(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None, error: Exception | None = None
) -> Response:
    """The one place an error becomes a response: an OperationOutcome on FHIR routes, a page for a
    browser outside the APIs (with the closest codes and the dates answered), problem details elsewhere."""
    from hcpcs.web import fhir
    from hcpcs.web.errors import error_page, wants_html

    if request.url.path.startswith("/fhir"):
        answer = fhir.outcome(status, detail)
    elif wants_html(request):  # the page names the closest codes: store reads, off the event loop
        answer = await run_in_threadpool(error_page, request, status, detail, error)
    else:
        answer = problem(status, HTTPStatus(status).phrase, detail, request.url.path)
    answer.headers.update(headers or {})
    return answer


def create_app(store_path: str | Path, cors: Sequence[str] = ("*",)) -> FastAPI:
    """The whole server over one store file; `cors`: the origins the API answers ([] for none)."""
    from hcpcs.web import api, docs, drugs, fhir, nlm, pages

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Warm each worker before it takes requests: lexicon, typo vocabulary, imports.
        async with app.state.stores.reading() as db:
            await off_loop(db.search, "oxigen concentrater")
        yield
        app.state.stores.close()

    app = FastAPI(
        title="hcpcs",
        version=__version__,
        description="The open HCPCS Level II reference: every CMS release, every field decoded.",
        lifespan=lifespan,
        docs_url=None,  # served by hcpcs.web.docs from packaged assets, not a CDN
        redoc_url=None,
    )
    app.state.stores = StoreProvider(Path(store_path))
    app.state.pages = PageCache()

    @app.exception_handler(HcpcsError)
    async def hcpcs_error(request: Request, error: HcpcsError) -> Response:
        return await error_response(request, status_for(error), str(error), error=error)

    @app.exception_handler(sqlite3.Error)
    async def store_unreadable(request: Request, error: sqlite3.Error) -> Response:
        # Not the client's fault and not a crash: say so, and when to try again.
        return await error_response(request, 503, f"the store cannot be read just now ({error})", {"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("query", "path", "body"))
        detail = f"{where}: {first.get('msg', 'invalid value')}" if where else str(first.get("msg", "invalid"))
        return await error_response(request, 400, detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app.state.routes, request.scope))
        return await error_response(request, error.status_code, str(error.detail), headers)

    routers = (api.router, drugs.router, nlm.router, fhir.router, pages.router)
    for router in routers:
        app.include_router(router)
    # Every route with its full path, for the Allow header of a 405.
    app.state.routes = [route for route in app.routes if getattr(route, "methods", None)]
    app.state.routes += [route for router in routers for route in router.routes]
    docs.install(app)
    install_openapi(app)
    app.add_middleware(PageCacheFront, pages=app.state.pages, store_path=Path(store_path))
    app.add_middleware(Hygiene)
    if cors:
        app.add_middleware(ApiCors, origins=list(cors))
    return app
