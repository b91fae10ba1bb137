"""What routes depend on: the store as one request sees it, checked dates, work off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from hcpcs.dates import parse_date
from hcpcs.store import Memo, Store

T = TypeVar("T")
#: Requests reading the store at once in one worker process; the rest wait their turn in order.
#: SQLite releases the GIL while it reads, so a few threads overlap; many would only contend.
READERS_PER_WORKER = 8


class StoreProvider:
    """Read-only connections to one store file, lent to one request at a time.

    Each request reads one snapshot (Store.reading), so a load committed meanwhile shows from
    the next request on, wholly. Connections share one memo, so facts computed from a
    generation (labels, id ranges, vocabularies) are computed once per process.
    """

    def __init__(self, path: Path, readers: int = READERS_PER_WORKER) -> None:
        self.path = path
        self.memo = Memo()
        self.readers = readers
        self._idle: list[Store] = []
        self._lock = threading.Lock()
        self._turns: asyncio.Semaphore | None = None
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
    async def reading(self) -> AsyncIterator[Store]:
        """A store whose reads all see the state committed when the request began."""
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.readers)
        async with self._turns:
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


async def read(request: Request, work: Callable[[Store], T]) -> T:
    """`work(store)` on the thread pool, every read in it from one snapshot taken for this request.

    Cheaper than the `store` dependency (no exit stack), which pages and other routers may use.
    """
    async with request.app.state.stores.reading() as db:
        return await run_in_threadpool(work, db)


async def off_loop(work: Callable[..., T], *args: object) -> T:
    """Run blocking work (SQLite, rendering) on the thread pool, so the event loop keeps serving."""
    return await run_in_threadpool(work, *args)


def date_or_none(value: str | None, parameter: str) -> str | None:
    """A checked ISO date, or None."""
    return parse_date(value, parameter) if value else None
