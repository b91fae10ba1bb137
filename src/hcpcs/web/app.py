"""The FastAPI application: one read-only store, a connection per worker thread, errors as 4xx."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hcpcs import __version__
from hcpcs.errors import HcpcsError, UnknownCodeError, UnknownReleaseError
from hcpcs.store import Store

#: Limits stated in the OpenAPI document.
MAX_QUERY_LENGTH = 500
MAX_PAGE_SIZE = 500


class StoreProvider:
    """Opens the store read-only once per thread (SQLite connections stay in their thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.local = threading.local()
        Store(path).close()  # fail at start-up, not on the first request

    def get(self) -> Store:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.path)
        return store


class PageCache:
    """Rendered code pages by (code, release, date): the store is read-only while serving, so a
    page never goes stale. Bounded; the oldest entry goes first."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.pages: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        with self.lock:
            if key in self.pages:
                self.pages.move_to_end(key)
                return self.pages[key]
        page = build()  # errors are not cached: they raise before this line returns
        with self.lock:
            self.pages[key] = page
            if len(self.pages) > self.size:
                self.pages.popitem(last=False)
        return page


def status_for(error: HcpcsError) -> int:
    """404 for what the store does not hold, 400 for everything else a client sent wrong."""
    return 404 if isinstance(error, (UnknownCodeError, UnknownReleaseError)) else 400


def problem(status: int, title: str, detail: str, instance: str) -> JSONResponse:
    """An RFC 9457 problem details response."""
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance},
        status_code=status,
        media_type="application/problem+json",
    )


def create_app(store_path: str | Path) -> FastAPI:
    """The whole server over one store file."""
    from hcpcs.web import api, docs, drugs, fhir, nlm, pages
    from hcpcs.web.errors import error_page, wants_html

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Warm each worker before it takes requests: lexicon, typo vocabulary, imports.
        app.state.stores.get().search("oxigen concentrater")
        yield

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
    async def hcpcs_error(request: Request, error: HcpcsError) -> JSONResponse:
        if request.url.path.startswith("/fhir"):
            return fhir.outcome(status_for(error), str(error))
        status = status_for(error)
        if wants_html(request):
            return error_page(request, status, str(error), error)
        return problem(status, "Not found" if status == 404 else "Bad request", str(error), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("query", "path", "body"))
        detail = f"{where}: {first.get('msg', 'invalid value')}" if where else str(first.get("msg", "invalid"))
        if request.url.path.startswith("/fhir"):
            return fhir.outcome(400, detail)
        if wants_html(request):
            return error_page(request, 400, detail)
        return problem(400, "Bad request", detail, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if request.url.path.startswith("/fhir"):
            return fhir.outcome(error.status_code, str(error.detail))
        if wants_html(request):
            return error_page(request, error.status_code, f"{request.url.path}: {error.detail}")
        return problem(error.status_code, str(error.detail), str(error.detail), request.url.path)

    app.include_router(api.router)
    app.include_router(drugs.router)
    app.include_router(nlm.router)
    app.include_router(fhir.router)
    app.include_router(pages.router)
    docs.install(app)
    return app
