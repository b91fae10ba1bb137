"""NLM Clinical Tables compatible HCPCS search: the same parameters and array answer, our ranking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from hcpcs.errors import HcpcsError
from hcpcs.store import Store
from hcpcs.web.app import MAX_PAGE_SIZE, MAX_QUERY_LENGTH
from hcpcs.web.deps import QUICK_ROWS, read
from hcpcs.web.openapi import problems

router = APIRouter(prefix="/api/hcpcs/v3", tags=["NLM Clinical Tables"], responses=problems(400))
#: The field names NLM's HCPCS table uses.
FIELDS = ("code", "display", "short_desc", "long_desc", "add_dt", "act_eff_dt", "term_dt", "obsolete", "is_noc")
DEFAULT_COUNT = 7
_FIELD = f"({'|'.join(FIELDS)})"
#: df, sf, ef: field names joined by commas.
FIELD_LIST = f"^{_FIELD}(,{_FIELD})*$"
_CONSTRAINT = "(obsolete|is_noc):([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])"
#: q: constraints joined by spaces or AND.
CONSTRAINTS = f"^{_CONSTRAINT}(( AND | +){_CONSTRAINT})*$"


class NlmParameterError(HcpcsError):
    """A df/sf/ef/q field NLM's HCPCS table does not have."""


def _fields(value: str | None, default: str, parameter: str) -> list[str]:
    names = [name.strip() for name in (value or default).split(",") if name.strip()]
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        raise NlmParameterError(f"{parameter}: unknown field(s) {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    return names


def _compact(date: str | None) -> str | None:
    return date.replace("-", "") if date else None


def _values(page) -> dict[str, Any]:
    return {
        "code": page.code,
        "display": page.long_description,
        "short_desc": page.short_description,
        "long_desc": page.long_description,
        "add_dt": _compact(page.added_date),
        "act_eff_dt": _compact(page.action_effective_date),
        "term_dt": _compact(page.termination_date),
        "obsolete": page.status == "Terminated",
        "is_noc": page.noc,
    }


def _constraints(q: str | None) -> dict[str, str]:
    """NLM's q: 'field:value' terms joined by spaces or AND; here on obsolete and is_noc."""
    wanted = {}
    for term in (q or "").replace(" AND ", " ").split():
        field, _, value = term.partition(":")
        if field not in ("obsolete", "is_noc") or value.lower() not in ("true", "false"):
            raise NlmParameterError(f"q: {term!r} is not supported (use obsolete:true|false, is_noc:true|false)")
        wanted[field] = value.lower()
    return wanted


@router.get("/search", summary="NLM Clinical Tables compatible search: [total, codes, extra fields, display rows]")
async def search(
    request: Request,
    terms: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description="What the user typed")] = "",
    maxList: Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE)] = None,  # noqa: N803 - NLM's name
    count: Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    df: Annotated[str | None, Query(max_length=200, pattern=FIELD_LIST, description="Display fields")] = None,
    sf: Annotated[
        str | None,
        Query(max_length=200, pattern=FIELD_LIST, description="Search fields (ranking uses code and descriptions)"),
    ] = None,
    ef: Annotated[str | None, Query(max_length=200, pattern=FIELD_LIST, description="Extra fields")] = None,
    cf: Annotated[str | None, Query(pattern=f"^{_FIELD}$", description="Code field")] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=CONSTRAINTS, description="Constraints: obsolete:true|false, is_noc:true|false"),
    ] = None,
) -> JSONResponse:
    display_fields = _fields(df, "code,display", "df")
    extra_fields = _fields(ef, "", "ef") if ef else []
    _fields(sf, "code,display", "sf")
    code_field = _fields(cf, "code", "cf")[0]
    wanted = _constraints(q)
    size = count or maxList or DEFAULT_COUNT
    if not terms.strip():
        return JSONResponse([0, [], {name: [] for name in extra_fields} if extra_fields else None, []])
    quick = size <= QUICK_ROWS and (not wanted or wanted == {"obsolete": "false"})
    total, page = await read(request, lambda db: _rows(db, terms, size, offset, wanted), quick=quick)
    extras = {name: [row[name] for row in page] for name in extra_fields} if extra_fields else None
    rows = [[row[name] for name in display_fields] for row in page]
    return JSONResponse([total, [row[code_field] for row in page], extras, rows])


def _rows(db: Store, terms: str, size: int, offset: int, wanted: dict[str, str]) -> tuple[int, list[dict[str, Any]]]:
    """The total and the requested page of NLM rows for the terms and constraints."""
    include_terminated = wanted.get("obsolete") != "false"
    if not wanted or wanted == {"obsolete": "false"}:
        # Only the status filter: search pages for us, and only the page is decoded.
        found = db.search(terms, limit=size, offset=offset, include_terminated=include_terminated)
        return found.total, [_values(db.get(hit.code, found.release)) for hit in found.results]
    found = db.search(terms, limit=MAX_PAGE_SIZE, include_terminated=include_terminated)
    rows = [_values(db.get(hit.code, found.release)) for hit in found.results]
    rows = [row for row in rows if all(str(row[f]).lower() == v for f, v in wanted.items())]
    return len(rows), rows[offset : offset + size]
