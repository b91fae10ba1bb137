"""FHIR R4 terminology operations for the HCPCS code system: one CodeSystem version per release."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from hcpcs import __version__
from hcpcs.errors import HcpcsError, UnknownReleaseError
from hcpcs.store import Store
from hcpcs.terminology import SYSTEM, SYSTEM_HTTPS, code_system
from hcpcs.web.deps import store

IMPLICIT_VALUE_SET = f"{SYSTEM}?vs"
FHIR_JSON = "application/fhir+json"
MAX_EXPANSION = 1000
router = APIRouter(prefix="/fhir", tags=["FHIR R4 terminology"])


class FhirParameterError(HcpcsError):
    """A FHIR operation parameter that is missing or wrong."""


def resource(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


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


async def operation_parameters(request: Request) -> dict[str, str]:
    """Parameters of an operation: the query string, and for POST a Parameters resource (or a form)."""
    values = {key: value for key, value in request.query_params.items()}
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if "json" in content_type:
            try:
                body = await request.json()
            except ValueError:
                raise FhirParameterError("the body is not JSON (send a Parameters resource)") from None
            if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
                raise FhirParameterError("the body must be a Parameters resource")
            for parameter in body.get("parameter", []):
                name = parameter.get("name") if isinstance(parameter, dict) else None
                value = next((v for k, v in parameter.items() if k.startswith("value")), None) if name else None
                if name and value is not None:
                    values[name] = str(value)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            values.update(parse_qsl((await request.body()).decode("utf-8", "replace")))
        elif await request.body():
            raise FhirParameterError(
                f"content type {content_type or 'none'!r} is not read: send application/fhir+json Parameters "
                "or a urlencoded form"
            )
    return values


def canonical(system: str | None) -> str:
    """The system URL, http or https; anything else is an error."""
    if system in (None, "", SYSTEM, SYSTEM_HTTPS):
        return SYSTEM
    raise FhirParameterError(f"system {system!r} is not {SYSTEM}")


def _release(db: Store, version: str | None) -> str:
    return db.resolve_release(version or None)


@router.get("/metadata")
def metadata(mode: str | None = None, db: Store = Depends(store)) -> JSONResponse:
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
def code_systems(url: str | None = None, version: str | None = None, db: Store = Depends(store)) -> JSONResponse:
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


@router.api_route("/CodeSystem/$lookup", methods=["GET", "POST"])
async def lookup(request: Request, db: Store = Depends(store)) -> JSONResponse:
    values = await operation_parameters(request)
    system = canonical(values.get("system"))
    if not values.get("code"):
        raise FhirParameterError("code is required")
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


@router.api_route("/CodeSystem/$validate-code", methods=["GET", "POST"])
async def validate_code(request: Request, db: Store = Depends(store)) -> JSONResponse:
    values = await operation_parameters(request)
    if "url" in values and "system" not in values:
        values["system"] = values["url"]
    return _validate(db, values, "system")


def _value_set_url(url: str | None) -> None:
    if url not in (None, "", IMPLICIT_VALUE_SET, SYSTEM_HTTPS + "?vs"):
        raise FhirParameterError(f"url {url!r} is not the implicit value set {IMPLICIT_VALUE_SET}")


@router.api_route("/ValueSet/$validate-code", methods=["GET", "POST"])
async def value_set_validate_code(request: Request, db: Store = Depends(store)) -> JSONResponse:
    values = await operation_parameters(request)
    _value_set_url(values.get("url"))
    return _validate(db, values, "system")


def _integer(values: dict[str, str], name: str, default: int, maximum: int) -> int:
    try:
        number = int(values.get(name, default))
    except ValueError:
        raise FhirParameterError(f"{name} must be a whole number") from None
    if not 0 <= number <= maximum:
        raise FhirParameterError(f"{name} must be between 0 and {maximum}")
    return number


@router.api_route("/ValueSet/$expand", methods=["GET", "POST"])
async def expand(request: Request, db: Store = Depends(store)) -> JSONResponse:
    values = await operation_parameters(request)
    _value_set_url(values.get("url"))
    label = _release(db, values.get("systemVersion") or values.get("version"))
    count = _integer(values, "count", 100, MAX_EXPANSION)
    offset = _integer(values, "offset", 0, 1_000_000)
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


@router.api_route("/ConceptMap/$translate", methods=["GET", "POST"])
async def translate(request: Request, db: Store = Depends(store)) -> JSONResponse:
    values = await operation_parameters(request)
    if values.get("system") == "http://hl7.org/fhir/sid/ndc":  # NDC to HCPCS: the drug crosswalk
        from hcpcs.web.drugs import translate_ndc

        return translate_ndc(db, values)
    canonical(values.get("system"))
    code = values.get("code")
    if not code:
        raise FhirParameterError("code is required")
    page = db.lookup(code)
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
@router.get("/CodeSystem/{resource_id}")
def read_code_system(resource_id: str, db: Store = Depends(store)) -> JSONResponse:
    label = resource_id.removeprefix("hcpcs-")
    if label not in db.release_labels():
        raise UnknownReleaseError(f"CodeSystem/{resource_id} is not here (ids are hcpcs-YYYY-MM)")
    return resource(code_system(db, label))
