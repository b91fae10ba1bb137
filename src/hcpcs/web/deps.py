"""What routes depend on: the store as one request sees it, checked dates, work off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from hcpcs.dates import parse_date
from hcpcs.store import Memo, Store

T = TypeVar("T")
#: Threads reading the store at once in one worker process, by lane; the rest wait their turn in
#: order. Quick reads (a page, a search of a few rows) never queue behind heavy ones (a diff of
#: two releases, 500 decoded rows). More threads would not read faster: they share one GIL, and
#: SQLite hands it over at every row, so each thread added makes every request dearer
#: (benchmarks/server_load.py); cores are used by worker processes instead.
LANES = {"quick": 4, "heavy": 2}
#: A search or expansion of at most this many rows is quick work.
QUICK_ROWS = 50


class StoreProvider:
    """Read-only connections to one store file, lent to one request at a time.

    Each request reads one snapshot (Store.reading), so a load committed meanwhile shows from
    the next request on, wholly. Connections share one memo, so facts computed from a
    generation (labels, id ranges, vocabularies) are computed once per process.
    """

    def __init__(self, path: Path, lanes: dict[str, int] | None = None) -> None:
        self.path = path
        self.memo = Memo()
        self.lanes = dict(lanes or LANES)
        self._idle: list[Store] = []
        self._lock = threading.Lock()
        self._turns: dict[str, asyncio.Semaphore] = {}
        Store(path).close()  # fail at start-up, not on the first request

    def _take(self) -> Store:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return Store(self.path, memo=self.memo)

    def _give_back(self, store: Store) -> None:
        if store.connection.in_transaction:  # its snapshot could not be ended: do not lend it again
            store.close()
            return
        with self._lock:
            self._idle.append(store)

    @asynccontextmanager
    async def reading(self, lane: str = "heavy") -> AsyncIterator[Store]:
        """A store whose reads all see the state committed when the request began, once the lane has room."""
        if lane not in self._turns:  # made on the event loop that uses it
            self._turns[lane] = asyncio.Semaphore(self.lanes[lane])
        async with self._turns[lane]:
            with self.snapshot() as store:
                yield store

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """A store reading one snapshot, for short synchronous work outside a route (an error page)."""
        store = self._take()
        try:
            with store.reading():
                yield store
        finally:
            self._give_back(store)

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for store in idle:
            store.close()


async def store(request: Request) -> AsyncIterator[Store]:
    """This request's read-only store, one snapshot for the whole request (returned when it ends)."""
    async with request.app.state.stores.reading() as db:
        yield db


async def read(request: Request, work: Callable[[Store], T], *, quick: bool = False) -> T:
    """`work(store)` on the thread pool, every read in it from one snapshot taken for this request.

    `quick`: bounded, small work (the quick lane). Cheaper than the `store` dependency (no exit
    stack), which pages and other routers may use (the heavy lane).
    """
    async with request.app.state.stores.reading("quick" if quick else "heavy") as db:
        return await run_in_threadpool(work, db)


async def off_loop(work: Callable[..., T], *args: object) -> T:
    """Run blocking work (SQLite, rendering) on the thread pool, so the event loop keeps serving."""
    return await run_in_threadpool(work, *args)


def date_or_none(value: str | None, parameter: str) -> str | None:
    """A checked ISO date, or None."""
    return parse_date(value, parameter) if value else None
