"""Errors as pages for browsers: a 404 or 400 that says what was wrong and what would work
(the closest codes, the dates and releases the store answers), as the CLI does. API clients
keep their problem-details JSON; only requests that ask for HTML outside the APIs get a page."""

from __future__ import annotations

import sqlite3

from fastapi import Request
from fastapi.responses import HTMLResponse

from hcpcs import __version__
from hcpcs.errors import HcpcsError, UnknownCodeError

#: Paths whose answers are JSON whatever the client accepts.
MACHINE_PATHS = ("/api/", "/fhir", "/openapi.json", "/docs", "/redoc", "/static/")
TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed"}


def wants_html(request: Request) -> bool:
    """Whether an error should be a page: a browser (Accept names text/html) outside the APIs."""
    path = request.url.path
    if path.startswith(MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


def _store_facts(request: Request, error: Exception | None) -> dict:
    """The closest codes (with their short descriptions), stored releases and dates answered."""
    from hcpcs.history.currency import quarter_end

    try:
        with request.app.state.stores.snapshot() as store:
            labels = store.release_labels()
            suggestions = []
            if isinstance(error, UnknownCodeError) and error.suggestions:
                release = error.release if error.release in labels else None
                found = store.short_descriptions(error.suggestions, release or labels[-1])
                suggestions = [(code, found.get(code)) for code in error.suggestions]
    except (HcpcsError, sqlite3.Error):
        return {}
    if not labels:
        return {"suggestions": suggestions}
    return {
        "suggestions": suggestions,
        "releases": labels,
        "covers_from": f"{labels[0]}-01",
        "covers_until": quarter_end(labels[-1]),
    }


def error_page(request: Request, status: int, detail: str, error: Exception | None = None) -> HTMLResponse:
    """The error as an HTML page with the same status code."""
    from hcpcs.render.html import environment
    from hcpcs.render.pages import STATUS_LEGEND, ServerUrls

    html = (
        environment()
        .get_template("error.html")
        .render(
            version=__version__,
            urls=ServerUrls(),
            legend=STATUS_LEGEND,
            status=status,
            title=TITLES.get(status, "Error"),
            detail=detail,
            query="",
            **_store_facts(request, error),
        )
    )
    return HTMLResponse(html, status_code=status)
