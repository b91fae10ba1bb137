"""Part B drug answers over HTTP: /api/v1/codes/{code}/price and /api/v1/ndc/{ndc} (the JSON of
`hcpcs price` and `hcpcs ndc`), and FHIR ConceptMap/$translate from NDC to HCPCS by quarter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hcpcs.drugs.errors import DrugNotFoundError, MalformedNdcError, NoQuarterError
from hcpcs.store import Store
from hcpcs.web.app import problem
from hcpcs.web.deps import date_or_none, read
from hcpcs.web.openapi import DATE_PATTERN, date_schema, problems

router = APIRouter(prefix="/api/v1", tags=["Part B drugs"])

#: The NDC forms people type: 11 digits, with or without the 5-4-2 dashes, or a dashed 10-digit form.
NDC_PATTERN = (
    r"^ *([0-9]{11}|[0-9]{5}-[0-9]{4}-[0-9]{2}|[0-9]{4}-[0-9]{4}-[0-9]{2}"
    r"|[0-9]{5}-[0-9]{3}-[0-9]{2}|[0-9]{5}-[0-9]{4}-[0-9]) *$"
)
# The shapes are stated in the OpenAPI document; the answer to anything else is the library's
# own 400, which says what is wrong (a CPT code, a 10-digit NDC without its dashes).
Code = Annotated[
    str, Path(description="A drug code, any case (J0696)", json_schema_extra={"pattern": r"^ *[A-Za-z][0-9]{4} *$"})
]
Ndc = Annotated[
    str,
    Path(description="An NDC: 00143-9857-25, 00143985725, or 0143-9857-25", json_schema_extra={"pattern": NDC_PATTERN}),
]
OnDate = Annotated[
    str | None,
    Query(pattern=DATE_PATTERN, json_schema_extra=date_schema(), description="The quarter covering this date"),
]
QuarterLabel = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{4}-(01|04|07|10)$", description="Drug quarter YYYY-MM (default: the newest)"),
]
ERRORS = problems(400, 404)


class PriceAnswer(BaseModel):
    code: str
    quarter: str
    dosage: str | None
    payment_limit: float | None
    coinsurance_percentage: float | None
    vaccine_awp_percentage: float | None
    vaccine_limit: float | None
    blood_awp_percentage: float | None
    blood_limit: float | None
    clotting_factor: str | None
    notes: str | None


class Mapping(BaseModel):
    code: str
    short_description: str | None
    labeler: str | None
    drug_name: str | None
    hcpcs_dosage: str | None
    package_size: float | None
    package_quantity: float | None
    billing_units_per_item: float | None
    billing_units_per_package: float | None


class NdcAnswer(BaseModel):
    ndc: str
    quarter: str
    mappings: list[Mapping]


def _respond(request: Request, ask: Callable[[], Any]) -> JSONResponse:
    """The answer's JSON, with the quarter (and a past-the-data warning) in headers; 404 for what
    the store lacks (other bad input is the app's 400)."""
    try:
        answer = ask()
    except DrugNotFoundError as error:
        return problem(404, "Not found", str(error), request.url.path)
    headers = {"X-Drug-Quarter": answer.quarter}
    if answer.choice.message:
        headers["X-Data-Warning"] = answer.choice.message
    return JSONResponse(answer.to_dict(), headers=headers)


@router.get(
    "/codes/{code}/price", response_model=PriceAnswer, responses=ERRORS,
    summary="A drug code's Part B payment limit (dollars per billing unit) in a quarter",
)  # fmt: skip
async def price(request: Request, code: Code, on: OnDate = None, quarter: QuarterLabel = None) -> JSONResponse:
    date = date_or_none(on, "on")
    return await read(
        request, lambda db: _respond(request, lambda: db.price(code, on=date, quarter=quarter)), quick=True
    )


@router.get(
    "/ndc/{ndc}", response_model=NdcAnswer, responses=ERRORS,
    summary="The HCPCS codes an NDC package bills as in a quarter, with billing units",
)  # fmt: skip
async def ndc(request: Request, ndc: Ndc, on: OnDate = None, quarter: QuarterLabel = None) -> JSONResponse:
    date = date_or_none(on, "on")
    return await read(request, lambda db: _respond(request, lambda: db.ndc(ndc, on=date, quarter=quarter)), quick=True)


def translate_ndc(db: Store, values: dict[str, str]) -> JSONResponse:
    """ConceptMap/$translate from NDC to HCPCS with the crosswalk of a quarter: `conceptMapVersion`
    names the quarter (YYYY-MM), `date` picks the quarter covering it; default the newest."""
    from hcpcs.terminology import SYSTEM, SYSTEM_HTTPS
    from hcpcs.web.fhir import FhirParameterError, no_translation, outcome, resource

    if values.get("targetsystem") not in (None, "", SYSTEM, SYSTEM_HTTPS):
        raise FhirParameterError(f"targetsystem {values['targetsystem']!r} is not {SYSTEM}")
    if not values.get("code"):
        raise FhirParameterError("code is required")
    date = date_or_none(values.get("date"), "date")
    try:
        answer = db.ndc(values["code"], on=date, quarter=values.get("conceptMapVersion") or None)
    except NoQuarterError as error:
        return outcome(404, str(error))
    except (DrugNotFoundError, MalformedNdcError) as error:
        return no_translation(str(error))
    source = f"{SYSTEM}/ConceptMap/ndc|{answer.quarter}"
    billed = "; ".join(
        f"{m['code']}: {m['billing_units_per_item']} billing units ({m['hcpcs_dosage']}) per item, "
        f"{m['billing_units_per_package']} per package" for m in answer.mappings
    )  # fmt: skip
    warning = f". {answer.choice.message}" if answer.choice.message else ""  # FHIR allows one message
    parameters: list[dict[str, Any]] = [
        {"name": "result", "valueBoolean": True},
        {"name": "message", "valueString": f"NDC {answer.ndc} in CMS's NDC-HCPCS crosswalk of {answer.quarter}: "
                                           f"{billed}{warning}"},
    ]  # fmt: skip
    for mapping in answer.mappings:
        concept = {
            "system": SYSTEM,
            "code": mapping["code"],
            "display": mapping["short_description"] or mapping["code"],
        }
        parameters.append({"name": "match", "part": [
            {"name": "equivalence", "valueCode": "wider"},  # a code covers many NDC packages
            {"name": "concept", "valueCoding": concept},
            {"name": "source", "valueUri": source},
        ]})  # fmt: skip
    return resource({"resourceType": "Parameters", "parameter": parameters})
