"""FHIR R4 terminology operations for the HCPCS code system: one CodeSystem version per release."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hcpcs import __version__
from hcpcs.errors import MalformedCodeError, UnknownCodeError, UnknownReleaseError
from hcpcs.store import Store
from hcpcs.terminology import SYSTEM, SYSTEM_HTTPS, code_system
from hcpcs.web.deps import QUICK_ROWS, read
from hcpcs.web.fhir_params import (
    CODE_SYSTEM_VALIDATE,
    EXPAND,
    IMPLICIT_VALUE_SET,
    LOOKUP,
    NDC_SYSTEM,
    TRANSLATE,
    VALUE_SET_VALIDATE,
    FhirParameterError,
    Parameter,
    body_document,
    query_document,
    reader,
)
from hcpcs.web.openapi import FHIR_JSON, outcomes


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


router = APIRouter(
    prefix="/fhir", tags=["FHIR R4 terminology"], default_response_class=FhirResponse, responses=outcomes(400)
)


def resource(body: dict[str, Any], status: int = 200) -> JSONResponse:
    """A FHIR resource as the response."""
    return FhirResponse(body, status_code=status)


def outcome(status: int, message: str) -> JSONResponse:
    """An OperationOutcome with one issue."""
    code = "not-found" if status == 404 else "invalid" if status < 500 else "exception"
    return resource(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": message}],
        },
        status,
    )


def operation(path: str, parameters: tuple[Parameter, ...], quick: Callable[[dict[str, str]], bool] = lambda _: True):
    """Register `work(store, values)` as a FHIR operation answering GET (query) and POST (Parameters body).

    The parameters are read and checked first, then the work runs off the event loop on one
    snapshot of the store, in the quick lane when `quick(values)` says it is small.
    """
    read_values = reader(parameters)

    def register(
        work: Callable[[Store, dict[str, str]], JSONResponse],
    ) -> Callable[[Store, dict[str, str]], JSONResponse]:
        async def endpoint(request: Request) -> JSONResponse:
            values = await read_values(request)
            return await read(request, lambda db: work(db, values), quick=quick(values))

        endpoint.__name__, endpoint.__doc__ = work.__name__, work.__doc__
        router.get(path, openapi_extra=query_document(parameters), responses=outcomes(404))(endpoint)
        router.post(path, openapi_extra=body_document(parameters), responses=outcomes(404, 413))(endpoint)
        return work

    return register


def canonical(system: str | None) -> str:
    """The system URL, http or https; anything else is an error."""
    if system in (None, SYSTEM, SYSTEM_HTTPS):
        return SYSTEM
    raise FhirParameterError(f"system {system!r} is not {SYSTEM}")


def _release(db: Store, version: str | None) -> str:
    return db.resolve_release(version or None)


@router.get("/metadata")
async def metadata(request: Request, mode: str | None = None) -> JSONResponse:
    return await read(request, lambda db: _capabilities(db, mode), quick=True)


def _capabilities(db: Store, mode: str | None) -> JSONResponse:
    versions = db.release_labels()
    if mode == "terminology":
        return resource(
            {
                "resourceType": "TerminologyCapabilities",
                "status": "active",
                "date": versions[-1] + "-01" if versions else None,
                "kind": "instance",
                "software": {"name": "hcpcs", "version": __version__},
                "codeSystem": [
                    {"uri": SYSTEM, "version": [{"code": v, "isDefault": v == versions[-1]} for v in versions]}
                ],
                "expansion": {"paging": True},
            }
        )
    operations = ["lookup", "validate-code", "expand", "translate"]
    return resource(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": versions[-1] + "-01" if versions else "2020-01-01",
            "kind": "instance",
            "software": {"name": "hcpcs", "version": __version__},
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "resource": [
                        {"type": "CodeSystem", "interaction": [{"code": "read"}, {"code": "search-type"}]},
                        {"type": "ValueSet"},
                        {"type": "ConceptMap"},
                    ],
                    "operation": [
                        {"name": name, "definition": f"http://hl7.org/fhir/OperationDefinition/{kind}-{name}"}
                        for name, kind in zip(
                            operations, ["CodeSystem", "CodeSystem", "ValueSet", "ConceptMap"], strict=True
                        )
                    ],
                }
            ],
        }
    )


@router.get("/CodeSystem")
async def code_systems(request: Request, url: str | None = None, version: str | None = None) -> JSONResponse:
    return await read(request, lambda db: _code_systems(db, url, version))


def _code_systems(db: Store, url: str | None, version: str | None) -> JSONResponse:
    labels = db.release_labels() if url in (None, SYSTEM, SYSTEM_HTTPS) else []
    labels = [label for label in labels if version in (None, label)]
    entries = [{"resource": code_system(db, label)} for label in labels]
    return resource({"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries})


def _property(code: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        typed = {"valueBoolean": value}
    elif isinstance(value, int):
        typed = {"valueInteger": value}
    else:
        typed = {"valueString": str(value)}
    return {"name": "property", "part": [{"name": "code", "valueCode": code}, {"name": "value", **typed}]}


@operation("/CodeSystem/$lookup", LOOKUP)
def lookup(db: Store, values: dict[str, str]) -> JSONResponse:
    system = canonical(values.get("system"))
    page = db.lookup(values["code"], _release(db, values.get("version")))
    parameters = [
        {"name": "name", "valueString": "HCPCS Level II"},
        {"name": "system", "valueUri": system},
        {"name": "version", "valueString": page.release},
        {"name": "display", "valueString": page.short_description or page.long_description or page.code},
    ]
    if page.long_description:
        parameters.append(
            {"name": "designation", "part": [{"name": "use", "valueCoding": {"code": "long"}},
                                             {"name": "value", "valueString": page.long_description}]}
        )  # fmt: skip
    for row in page.fields:
        if row.value is not None and row.name not in ("code", "long_description", "short_description"):
            parameters.append(_property(row.label, row.value))
    for name in ("status", "category"):
        parameters.append(_property(name, getattr(page, name)))
    parameters.append(_property("noc", page.noc))
    return resource({"resourceType": "Parameters", "parameter": parameters})


def _validate(db: Store, values: dict[str, str], system_key: str) -> JSONResponse:
    system = canonical(values.get(system_key))
    code = values.get("code")
    if not code:
        raise FhirParameterError("code is required")
    label = _release(db, values.get("version") or values.get("systemVersion"))
    page = db.get(code.strip().upper(), label)
    parameters: list[dict[str, Any]] = [{"name": "system", "valueUri": system}]
    if page is None:
        parameters += [
            {"name": "result", "valueBoolean": False},
            {"name": "message", "valueString": f"{code} is not a code of {SYSTEM} version {label}"},
        ]
    else:
        display = page.short_description or page.code
        result = page.status == "Actual"
        message = f"{page.code} is {page.status.lower()} in version {label}"
        given = values.get("display")
        if given and given.lower() not in {
            (page.short_description or "").lower(),
            (page.long_description or "").lower(),
        }:
            result, message = False, f"display {given!r} is not {display!r} for {page.code}"
        parameters += [
            {"name": "result", "valueBoolean": result},
            {"name": "message", "valueString": message},
            {"name": "display", "valueString": display},
        ]
    return resource({"resourceType": "Parameters", "parameter": parameters})


@operation("/CodeSystem/$validate-code", CODE_SYSTEM_VALIDATE)
def validate_code(db: Store, values: dict[str, str]) -> JSONResponse:
    if "url" in values and "system" not in values:
        values["system"] = values["url"]
    return _validate(db, values, "system")


@operation("/ValueSet/$validate-code", VALUE_SET_VALIDATE)
def value_set_validate_code(db: Store, values: dict[str, str]) -> JSONResponse:
    return _validate(db, values, "system")


@operation(
    "/ValueSet/$expand", EXPAND, quick=lambda v: bool(v.get("filter")) and int(v.get("count", 100)) <= QUICK_ROWS
)
def expand(db: Store, values: dict[str, str]) -> JSONResponse:
    label = _release(db, values.get("systemVersion") or values.get("version"))
    count, offset = int(values.get("count", 100)), int(values.get("offset", 0))  # checked by EXPAND
    text = values.get("filter", "")
    if text.strip():
        found = db.search(text, limit=count, offset=offset, release=label)
        total, concepts = found.total, [(hit.code, hit.short_description) for hit in found.results]
    else:
        codes = db.codes(label)
        total = len(codes)
        concepts = [(code, db.record(code, label).short_description) for code in codes[offset : offset + count]]
    return resource(
        {
            "resourceType": "ValueSet",
            "url": IMPLICIT_VALUE_SET,
            "status": "active",
            "expansion": {
                "timestamp": db.releases()[-1].loaded_at,
                "total": total,
                "offset": offset,
                "parameter": [{"name": "version", "valueUri": f"{SYSTEM}|{label}"}]
                + ([{"name": "filter", "valueString": text}] if text else []),
                "contains": [
                    {"system": SYSTEM, "version": label, "code": code, "display": display or code}
                    for code, display in concepts
                ],
            },
        }
    )


def no_translation(message: str) -> JSONResponse:
    """$translate's answer for a code it cannot map (not in the source system, or not a code of it)."""
    return resource(
        {
            "resourceType": "Parameters",
            "parameter": [{"name": "result", "valueBoolean": False}, {"name": "message", "valueString": message}],
        }
    )


@operation("/ConceptMap/$translate", TRANSLATE)
def translate(db: Store, values: dict[str, str]) -> JSONResponse:
    if values.get("system") == NDC_SYSTEM:  # NDC to HCPCS: the drug crosswalk of a quarter
        from hcpcs.web.drugs import translate_ndc

        return translate_ndc(db, values)
    canonical(values.get("system"))
    code = values["code"]
    try:
        page = db.lookup(code)
    except (MalformedCodeError, UnknownCodeError) as error:  # no translation: FHIR's result false
        return no_translation(str(error))
    chain = db.replacements(page.code)
    matches = [
        {
            "name": "match",
            "part": [
                {"name": "equivalence", "valueCode": "equivalent" if not chain.ambiguous else "relatedto"},
                {
                    "name": "concept",
                    "valueCoding": {
                        "system": SYSTEM,
                        "code": target,
                        "display": (db.record(target) or page).short_description,
                    },
                },
            ],
        }  # fmt: skip
        for target in chain.replacements
    ]
    message = (
        f"{page.code} is in force; nothing replaces it"
        if page.status == "Actual"
        else f"{page.code} leads to {', '.join(chain.replacements) or 'no code in force'}"
    )
    return resource(
        {
            "resourceType": "Parameters",
            "parameter": [
                {"name": "result", "valueBoolean": bool(matches)},
                {"name": "message", "valueString": message},
            ]
            + matches,
        }
    )


# Registered last: "/CodeSystem/{id}" would otherwise take "/CodeSystem/$lookup".
@router.get("/CodeSystem/{resource_id}", responses=outcomes(404))
async def read_code_system(request: Request, resource_id: str) -> JSONResponse:
    def work(db: Store) -> JSONResponse:
        label = resource_id.removeprefix("hcpcs-")
        if label not in db.release_labels():
            raise UnknownReleaseError(f"CodeSystem/{resource_id} is not here (ids are hcpcs-YYYY-MM)")
        return resource(code_system(db, label))

    return await read(request, work)
