"""The package's own files over HTTP: the pages' style sheet, scripts and icon under /static, and
the interactive API documentation (/docs, Swagger UI) from assets that ship in a Python package
(fastapi-offline: swagger-ui-dist 5, Apache-2.0), so nothing is fetched from a CDN.

No ReDoc: its bundle (in the same package) loads its logo from cdn.redoc.ly whatever its options."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/static"
DOCS_ASSETS = "/docs-assets"


def install(app: FastAPI) -> None:
    """Mount /static and the documentation assets, and serve /docs from them."""
    app.mount(STATIC, StaticFiles(directory=str(files("hcpcs") / "web" / "static")), name="static")
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")
    title = f"{app.title}: API"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},  # the default validator badge calls swagger.io
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
