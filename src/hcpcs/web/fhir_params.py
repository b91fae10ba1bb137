"""FHIR operation parameters: read from the query string or a POSTed Parameters resource (or form),
typed and bounded, and described in the OpenAPI document by the same table that checks them."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from hcpcs.errors import HcpcsError
from hcpcs.terminology import SYSTEM, SYSTEM_HTTPS
from hcpcs.web.openapi import CODE_PATTERN, FHIR_JSON, RELEASE_PATTERN

IMPLICIT_VALUE_SET = f"{SYSTEM}?vs"
MAX_EXPANSION = 1000
#: A $expand filter is searched like a query typed in the search box.
MAX_FILTER_LENGTH = 500
#: Any other text value (a display, a URL) is shorter than this.
MAX_VALUE_LENGTH = 4000
_INTEGER = re.compile(r"-?[0-9]{1,12}")


class FhirParameterError(HcpcsError):
    """A FHIR operation parameter that is missing or wrong."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter an operation reads: its value[x] types in a Parameters body and its schema."""

    name: str
    kinds: tuple[str, ...]
    schema: dict[str, Any] = field(hash=False)
    required: bool = False

    def check(self, value: str) -> None:
        """FhirParameterError unless the value fits the schema the document states."""
        schema = self.schema
        if schema.get("type") == "integer":
            if not _INTEGER.fullmatch(value) or not schema["minimum"] <= int(value) <= schema["maximum"]:
                raise FhirParameterError(
                    f"{self.name} must be a whole number from {schema['minimum']} to {schema['maximum']}"
                )
        elif "enum" in schema and value not in schema["enum"]:
            raise FhirParameterError(f"{self.name} {value!r} is not {' or '.join(schema['enum'])}")
        elif "pattern" in schema and not re.fullmatch(schema["pattern"].strip("^$"), value):
            raise FhirParameterError(f"{self.name} {value!r} is not {schema['description']}")
        elif len(value) > schema.get("maxLength", MAX_VALUE_LENGTH):
            raise FhirParameterError(f"{self.name}: {len(value)} characters; at most {schema['maxLength']} are read")
        elif len(value) < schema.get("minLength", 0):
            raise FhirParameterError(f"{self.name} is empty")


def _text(limit: int, description: str) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, "description": description}


CODE = Parameter(
    "code",
    ("valueCode", "valueString"),
    {"type": "string", "pattern": CODE_PATTERN, "description": "a HCPCS code (S9329) or modifier (LT)"},
    required=True,
)
SYSTEM_PARAMETER = Parameter("system", ("valueUri", "valueString"), {"type": "string", "enum": [SYSTEM, SYSTEM_HTTPS]})
SYSTEM_URL = Parameter("url", ("valueUri", "valueString"), {"type": "string", "enum": [SYSTEM, SYSTEM_HTTPS]})
VALUE_SET_URL = Parameter(
    "url", ("valueUri", "valueString"), {"type": "string", "enum": [IMPLICIT_VALUE_SET, SYSTEM_HTTPS + "?vs"]}
)
_RELEASE = {"type": "string", "pattern": RELEASE_PATTERN, "description": "a release label YYYY-MM"}
VERSION = Parameter("version", ("valueString", "valueCode"), _RELEASE)
SYSTEM_VERSION = Parameter("systemVersion", ("valueString", "valueCode", "valueUri"), _RELEASE)
DISPLAY = Parameter("display", ("valueString",), _text(MAX_VALUE_LENGTH, "the display to check"))
FILTER = Parameter("filter", ("valueString",), _text(MAX_FILTER_LENGTH, "words, a code or a prefix"))
COUNT = Parameter("count", ("valueInteger",), {"type": "integer", "minimum": 0, "maximum": MAX_EXPANSION})
OFFSET = Parameter("offset", ("valueInteger",), {"type": "integer", "minimum": 0, "maximum": 1_000_000})

LOOKUP = (CODE, SYSTEM_PARAMETER, VERSION)
CODE_SYSTEM_VALIDATE = (CODE, SYSTEM_PARAMETER, SYSTEM_URL, VERSION, SYSTEM_VERSION, DISPLAY)
VALUE_SET_VALIDATE = (CODE, SYSTEM_PARAMETER, VALUE_SET_URL, VERSION, SYSTEM_VERSION, DISPLAY)
EXPAND = (VALUE_SET_URL, FILTER, COUNT, OFFSET, VERSION, SYSTEM_VERSION)
#: $translate also maps NDCs (http://hl7.org/fhir/sid/ndc) to HCPCS with a quarter's drug crosswalk.
NDC_SYSTEM = "http://hl7.org/fhir/sid/ndc"
TRANSLATE_CODE = Parameter(
    "code",
    ("valueCode", "valueString"),
    {**_text(40, "a HCPCS code (S9329), or an NDC (00143-9857-25) with system " + NDC_SYSTEM), "minLength": 1},
    required=True,
)
TRANSLATE_SYSTEM = Parameter(
    "system", ("valueUri", "valueString"), {"type": "string", "enum": [SYSTEM, SYSTEM_HTTPS, NDC_SYSTEM]}
)
TARGET_SYSTEM = Parameter(
    "targetsystem", ("valueUri", "valueString"), {"type": "string", "enum": [SYSTEM, SYSTEM_HTTPS]}
)
CONCEPT_MAP_VERSION = Parameter(
    "conceptMapVersion", ("valueString", "valueCode"),
    {"type": "string", "pattern": r"^[0-9]{4}-(01|04|07|10)$", "description": "a drug quarter (NDC translations)"},
)  # fmt: skip
DATE = Parameter(
    "date", ("valueDate", "valueString"),
    {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "a date (NDC translations)"},
)  # fmt: skip
TRANSLATE = (TRANSLATE_CODE, TRANSLATE_SYSTEM, TARGET_SYSTEM, CONCEPT_MAP_VERSION, DATE)

#: JSON types a value[x] of each kind holds.
_KIND_TYPES: dict[str, tuple[type, ...]] = {"valueInteger": (int,), "valueBoolean": (bool,)}


def parameters_resource(body: bytes, known: dict[str, Parameter]) -> dict[str, str]:
    """The operation's parameters in a FHIR Parameters resource, as text; any other shape is an error.

    Parameters the operation does not read are ignored whatever they hold (FHIR clients send
    more than a server uses); one it reads must carry exactly one value[x] of a type it takes.
    """
    try:
        resource = json.loads(body)
    except RecursionError:
        raise FhirParameterError("the body nests too deep (send a Parameters resource)") from None
    except ValueError:
        raise FhirParameterError("the body is not JSON (send a Parameters resource)") from None
    if not isinstance(resource, dict) or resource.get("resourceType") != "Parameters":
        raise FhirParameterError("the body must be a Parameters resource")
    parameters = resource.get("parameter", [])
    if not isinstance(parameters, list):
        raise FhirParameterError("Parameters.parameter must be a list")
    values: dict[str, str] = {}
    for position, item in enumerate(parameters):
        where = f"Parameters.parameter[{position}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise FhirParameterError(f"{where} must be an object with a string name")
        parameter = known.get(item["name"])
        if parameter is None:
            continue
        values[parameter.name] = _one_value(item, parameter, where)
    return values


def _one_value(item: dict[str, Any], parameter: Parameter, where: str) -> str:
    """The single value[x] of a parameter item, of a kind the parameter takes, as text."""
    kinds = [key for key in item if key.startswith("value")]
    if len(kinds) == 1 and kinds[0] in parameter.kinds:
        value = item[kinds[0]]
        if kinds[0] == "valueInteger" and isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON's 88.0 is the integer 88
        expected = _KIND_TYPES.get(kinds[0], (str,))
        if isinstance(value, expected) and (bool in expected or not isinstance(value, bool)):
            return str(value).lower() if isinstance(value, bool) else str(value)
    raise FhirParameterError(f"{where} ({parameter.name}) must hold one {' or '.join(parameter.kinds)}")


def reader(operation: tuple[Parameter, ...]) -> Callable[[Request], Awaitable[dict[str, str]]]:
    """The dependency reading an operation's parameters: the query string, and for POST the body.

    It runs before the store is taken, so a slow or wrong body never holds a reader.
    """
    known = {parameter.name: parameter for parameter in operation}

    async def read(request: Request) -> dict[str, str]:
        values = dict(request.query_params)
        if request.method == "POST":
            content_type = request.headers.get("content-type", "")
            body = await request.body()
            if not body:
                raise FhirParameterError(f"POST needs a body: a {FHIR_JSON} Parameters resource or a urlencoded form")
            if "json" in content_type:
                values.update(parameters_resource(body, known))
            elif content_type.startswith("application/x-www-form-urlencoded"):
                values.update(parse_qsl(body.decode("utf-8", "replace")))
            else:
                raise FhirParameterError(
                    f"content type {content_type or 'none'!r} is not read: send {FHIR_JSON} Parameters "
                    "or a urlencoded form"
                )
        for parameter in operation:
            if parameter.name in values:
                parameter.check(values[parameter.name])
            elif parameter.required:
                raise FhirParameterError(f"{parameter.name} is required")
        return values

    return read


def query_document(operation: tuple[Parameter, ...]) -> dict[str, Any]:
    """`openapi_extra` for the GET form of an operation: its query parameters."""
    return {
        "parameters": [{"name": p.name, "in": "query", "required": p.required, "schema": p.schema} for p in operation]
    }


def body_document(operation: tuple[Parameter, ...]) -> dict[str, Any]:
    """`openapi_extra` for the POST form of an operation: a Parameters resource carrying its parameters."""
    items: list[dict[str, Any]] = [
        {
            "type": "object",
            "required": ["name", kind],
            "properties": {"name": {"const": p.name}, kind: p.schema},
            # Other members (id, extension) are let be; a second value[x] is not.
            "propertyNames": {"anyOf": [{"not": {"pattern": "^value"}}, {"const": kind}]},
        }
        for p in operation
        for kind in p.kinds
    ]
    # Parameters the operation does not read: ignored, whatever they hold.
    names = sorted({p.name for p in operation})
    unread = {"type": "string", "not": {"enum": names}}
    items.append({"type": "object", "required": ["name"], "properties": {"name": unread}})
    parameter: dict[str, Any] = {"type": "array", "items": {"anyOf": items}}
    required = [p for p in operation if p.required]
    if required:
        parameter["allOf"] = [
            {"contains": {"type": "object", "required": ["name"], "properties": {"name": {"const": p.name}}}}
            for p in required
        ]
    schema = {
        "type": "object",
        "required": ["resourceType", "parameter"] if required else ["resourceType"],
        "properties": {"resourceType": {"const": "Parameters"}, "parameter": parameter},
    }
    return {"requestBody": {"required": True, "content": {FHIR_JSON: {"schema": schema}}}}
