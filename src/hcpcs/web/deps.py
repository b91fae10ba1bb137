"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from hcpcs.dates import parse_date
from hcpcs.store import Store


class ThreadStore:
    """The store as seen from whichever thread uses it: each thread gets its own connection.

    FastAPI may resolve a dependency in one thread and run the endpoint in another; SQLite
    connections must stay in the thread that opened them, so the lookup happens on use.
    """

    def __init__(self, provider) -> None:
        self._provider = provider

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider.get(), name)


async def store(request: Request) -> Store:
    """This request's read-only store (a per-thread connection, opened on first use)."""
    return ThreadStore(request.app.state.stores)  # type: ignore[return-value]


def date_or_none(value: str | None, parameter: str) -> str | None:
    """A checked ISO date, or None."""
    return parse_date(value, parameter) if value else None
