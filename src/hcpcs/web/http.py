"""HTTP as clients expect it, for every route: HEAD, Allow on 405, CORS, security headers, body caps."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hcpcs.errors import HcpcsError

#: The largest request body read (a FHIR Parameters resource is a few hundred bytes).
MAX_BODY_BYTES = 64 * 1024
#: Paths CORS applies to: the JSON APIs (the pages are for this origin's browser tabs).
CORS_PREFIXES = ("/api/", "/fhir/", "/fhir")
#: Our pages carry their script and style inline (the templates), nothing from elsewhere.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: /docs runs Swagger UI from the package's own copy (hcpcs.web.docs): nothing from elsewhere.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class RequestTooLarge(HcpcsError):
    """A request body over MAX_BODY_BYTES."""


def parse_cors(values: Sequence[str]) -> list[str]:
    """The origins `--cors` allows: ['*'] for any, [] for none ('none'), else the origins given."""
    origins = [value.strip().rstrip("/") for value in values if value.strip()]
    if not origins or "none" in origins:
        return []
    return ["*"] if "*" in origins else origins


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route answers on this request's path (HEAD wherever GET is)."""
    methods: set[str] = set()
    for route in routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _capped(receive: Receive, scope: Scope) -> Receive:
    """`receive`, raising RequestTooLarge once a body passes the cap (or says it will)."""
    received = 0
    declared = Headers(scope=scope).get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:

        async def refuse() -> Message:
            raise RequestTooLarge(f"the request body is {declared} bytes; at most {MAX_BODY_BYTES} are read")

        return refuse

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > MAX_BODY_BYTES:
            raise RequestTooLarge(f"the request body passes {MAX_BODY_BYTES} bytes, the most that is read")
        return message

    return counted


class Hygiene:
    """HEAD served as GET without the body, capped request bodies, security headers on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        docs = scope["path"].startswith(DOCS_PATHS)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", DOCS_POLICY if docs else PAGE_POLICY)
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, _capped(receive, scope), sending)


class ApiCors:
    """CORS on the API paths only, for the origins `hcpcs serve --cors` allows (every route is read-only)."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.cross_origin = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Accept", "Content-Type"],
            max_age=86400,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = scope["type"] == "http" and scope["path"].startswith(CORS_PREFIXES)
        await (self.cross_origin if api else self.app)(scope, receive, send)
