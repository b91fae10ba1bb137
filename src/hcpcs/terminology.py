"""HCPCS as FHIR R4 terminology resources: the CodeSystem of a release (summary or complete,
every decoded field a concept property) and the ConceptMap of its replacements. Plain data,
shared by the server's FHIR endpoints and `hcpcs export --format fhir`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hcpcs.model import DATE_FIELDS

if TYPE_CHECKING:
    from hcpcs.page import Code
    from hcpcs.store import Store

SYSTEM = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
SYSTEM_HTTPS = SYSTEM.replace("http://", "https://", 1)
PUBLISHER = "Centers for Medicare & Medicaid Services (CMS)"
#: FHIR's own concept property for a concept no longer in use.
INACTIVE_URI = "http://hl7.org/fhir/concept-properties#inactive"
#: Fields that are the concept itself rather than its properties.
NOT_PROPERTIES = ("code", "long_description", "short_description", "release")
#: Properties a code page adds to CMS's fields.
EXTRA_PROPERTIES = (
    ("status", "string", "Status on the release's effective date: Actual, Terminated or Not yet effective."),
    ("inactive", "boolean", "True when the code is terminated as of the release's effective date."),
    ("category", "string", "The HCPCS section the code falls in (by code range)."),
    ("noc", "boolean", "Not otherwise classified: a claim with this code needs a narrative description."),
    ("replaced_by", "code", "Codes in force that replace a terminated code (CMS cross-reference chain)."),
)


def code_system(db: Store, label: str, summary: bool = True) -> dict[str, Any]:
    """The CodeSystem resource of one release (summary: no concepts, no property list)."""
    info = next(r for r in db.releases() if r.release == label)
    resource = {
        "resourceType": "CodeSystem",
        "id": f"hcpcs-{label}",
        "url": SYSTEM,
        "version": label,
        "name": "HCPCSLevelII",
        "title": f"HCPCS Level II, release {label}",
        "status": "active",
        "date": info.effective_date,
        "publisher": PUBLISHER,
        "content": "not-present" if summary else "complete",
        "count": info.procedures + info.modifiers,
        "caseSensitive": True,
    }
    if not summary:
        definitions = property_definitions(db)
        types = {definition["code"]: definition["type"] for definition in definitions}
        resource["property"] = definitions
        resource["concept"] = [concept(db.lookup(code, label), types) for code in db.codes(label)]
    return resource


def _type(name: str, table: str | None) -> str:
    if table or name == "processing_note":
        return "Coding"  # the value and, as display, what it means
    if name in DATE_FIELDS:
        return "dateTime"
    if name == "anesthesia_base_units":
        return "integer"
    return "code" if name == "cross_references" else "string"


def property_definitions(db: Store) -> list[dict[str, Any]]:
    """One property per CMS field (label and definition as the description), then the extras."""
    definitions = [
        {"code": spec.name, "description": f"{spec.label}: {spec.definition}", "type": _type(spec.name, spec.table)}
        for spec in db.codebook.fields
        if spec.name not in NOT_PROPERTIES
    ]
    for code, kind, description in EXTRA_PROPERTIES:
        definition = {"code": code, "description": description, "type": kind}
        if code == "inactive":
            definition["uri"] = INACTIVE_URI
        definitions.append(definition)
    return definitions


def _value(kind: str, value: Any, meaning: str | None) -> dict[str, Any]:
    if kind == "Coding":
        coding = {"code": str(value)}
        return {"valueCoding": coding | {"display": meaning} if meaning else coding}
    return {f"value{kind[0].upper()}{kind[1:]}": value}


def concept(page: Code, types: dict[str, str]) -> dict[str, Any]:
    """A code as a concept: display the short description, the long one as a designation, and
    every field that has a value as a property (a list field repeats its property). `types`:
    each property's type, from `property_definitions`."""
    properties = []
    for row in page.fields:
        if row.name in NOT_PROPERTIES or row.value is None:
            continue
        properties.append({"code": row.name, **_value(types[row.name], row.value, row.meaning)})
    properties.append({"code": "status", "valueString": page.status})
    properties.append({"code": "inactive", "valueBoolean": page.status == "Terminated"})
    if page.category:
        properties.append({"code": "category", "valueString": page.category})
    properties.append({"code": "noc", "valueBoolean": page.noc})
    properties.extend({"code": "replaced_by", "valueCode": target} for target in page.replaced_by)
    result: dict[str, Any] = {"code": page.code, "display": page.short_description or page.long_description or ""}
    if page.long_description:
        result["designation"] = [{"language": "en", "value": page.long_description}]
    result["property"] = properties
    return result


def concept_map(db: Store, label: str) -> dict[str, Any]:
    """The release's terminated codes mapped to the codes that replace them (`equivalent` for
    one replacement, `relatedto` for several, `unmatched` when the chain ends nowhere)."""
    elements = []
    for record in db.records(label):
        if not record.termination_date:
            continue
        chain = db.replacements(record.code)
        equivalence = "relatedto" if chain.ambiguous or len(chain.replacements) > 1 else "equivalent"
        targets = [
            {"code": code, "display": (db.record(code) or record).short_description or "", "equivalence": equivalence}
            for code in chain.replacements
        ] or [{"equivalence": "unmatched", "comment": "no code in force replaces it"}]
        elements.append({"code": record.code, "display": record.short_description or "", "target": targets})
    return {
        "resourceType": "ConceptMap",
        "id": f"hcpcs-replacements-{label}",
        "url": f"{SYSTEM}/ConceptMap/replacements",
        "version": label,
        "name": "HCPCSReplacements",
        "title": f"HCPCS Level II terminated codes and their replacements, release {label}",
        "status": "active",
        "publisher": PUBLISHER,
        "sourceCanonical": SYSTEM,
        "targetCanonical": SYSTEM,
        "group": [{"source": SYSTEM, "sourceVersion": label, "target": SYSTEM, "element": elements}],
    }


def bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A transaction Bundle that puts each resource at its id (POST it to a FHIR server's base)."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": resource, "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}}
            for resource in resources
        ],
    }
