"""What the OpenAPI document promises: the shapes of valid input and every status and content type.

The server checks input with these same patterns, so a request the document calls valid is
never refused (400) and one it calls invalid is never answered 200.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

#: A code as a user types it: 5 letters and digits, or a 2-character modifier, any case.
CODE_PATTERN = r"^ *[A-Za-z0-9]{2}([A-Za-z0-9]{3})? *$"
RELEASE_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

PROBLEM = "application/problem+json"
FHIR_JSON = "application/fhir+json"
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}
OUTCOME_SCHEMA = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"type": "string"},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string"},
                },
            },
        },
    },
}
#: Answers any route may give: a store that cannot be read just now.
ALWAYS = (503,)


def _answers(media_type: str, schema: dict[str, Any], statuses: tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"description": HTTPStatus(status).phrase, "content": {media_type: {"schema": schema}}}
        for status in (*statuses, *ALWAYS)
    }


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for errors answered as RFC 9457 problem details."""
    return _answers(PROBLEM, PROBLEM_SCHEMA, statuses)


def outcomes(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for errors answered as FHIR OperationOutcomes."""
    return _answers(FHIR_JSON, OUTCOME_SCHEMA, statuses)


def date_schema() -> dict[str, Any]:
    """The extra JSON Schema of a date parameter (with DATE_PATTERN): a real calendar date."""
    return {"format": "date"}


def install(app: FastAPI) -> None:
    """Generate the document without FastAPI's 422 answers: invalid input is answered 400."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                document.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
