"""Code pages kept as the JSON the route sent, per store generation, and answered before routing.

A page is kept under the request's exact path and query, for the generation of the snapshot
that built it; a load raises the generation and drops them all. The front answers a kept page
without FastAPI's routing, validation and dependencies (four fifths of a kept page's cost),
after checking that the store's generation has not moved (`PRAGMA data_version`: one cheap
read on a connection of its own).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from hcpcs.connection import read_generation, reading_connection

#: The route whose pages are kept: /api/v1/codes/{code} (not its /history).
PREFIX = "/api/v1/codes/"
HEADERS = [(b"content-type", b"application/json")]


def page_key(scope: Scope) -> tuple[str, bytes, str]:
    """What a kept page is found by: the exact path and query string as the client sent them, and
    today's date (a page without a date of service says how current it is as of today)."""
    return scope["path"], scope.get("query_string", b""), _today()


def _today() -> str:
    return time.strftime("%Y-%m-%d")


class PageCache:
    """Rendered pages by key, for the store generation they were built from. Bounded in bytes
    (every page of a release fits); the least recently used page goes first."""

    def __init__(self, max_bytes: int = 96 << 20) -> None:
        self.max_bytes = max_bytes
        self.generation = -1
        self.bytes = 0
        self.pages: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def find(self, generation: int, key: tuple) -> bytes | None:
        """The page kept for this generation and key, or None."""
        with self.lock:
            if generation > self.generation:
                self.generation, self.pages, self.bytes = generation, OrderedDict(), 0
            if generation != self.generation or key not in self.pages:
                return None
            self.pages.move_to_end(key)
            return self.pages[key]

    def keep(self, generation: int, key: tuple, page: bytes) -> None:
        """Keep a page built from a generation (dropped if a newer one has been seen meanwhile)."""
        with self.lock:
            if generation != self.generation or key in self.pages:
                return
            self.pages[key] = page
            self.bytes += len(page)
            while self.bytes > self.max_bytes:
                self.bytes -= len(self.pages.popitem(last=False)[1])


class Generation:
    """The store's current generation, re-read only when SQLite says another connection committed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None
        self.version = -1
        self.value = -1

    def current(self) -> int:
        """The generation committed now (one PRAGMA when nothing changed)."""
        if self.connection is None:
            self.connection = reading_connection(self.path)
        version = self.connection.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.version, self.value = version, read_generation(self.connection)
        return self.value


class PageCacheFront:
    """Answers GET /api/v1/codes/{code} from the page cache when the page is kept for the current
    generation; everything else (and every miss) goes on to the app, whose route keeps pages."""

    def __init__(self, app: ASGIApp, pages: PageCache, store_path: Path) -> None:
        self.app = app
        self.pages = pages
        self.generation = Generation(store_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and path.startswith(PREFIX)
            and "/" not in path[len(PREFIX) :]
        ):
            try:
                body = self.pages.find(self.generation.current(), page_key(scope))
            except sqlite3.Error:
                body = None  # the route reads the store itself and answers what it finds
            if body is not None:
                headers = [*HEADERS, (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
