"""The code page: a record with every field decoded, its status, section, note and references."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hcpcs.codebook import Codebook, load_codebook
from hcpcs.model import DATE_FIELDS, LIST_FIELDS, CodeRecord

if TYPE_CHECKING:
    from hcpcs.store import Store

ACTUAL, TERMINATED, NOT_YET_EFFECTIVE = "Actual", "Terminated", "Not yet effective"
NOT_IN_NOTES = "not in the processing notes file"
# Words CMS uses in the long descriptions of "not otherwise classified" codes ("nos" alone:
# "nsclc-nos" names a diagnosis class).
_NOC_WORDS = re.compile(
    r"\b(not (?:otherwise|elsewhere) (?:classified|specified)|unlisted|unclassified|unspecified|miscellaneous|noc)\b"
    r"|(?<![-/\w])nos\b",
    re.IGNORECASE,
)
# The same words qualifying something other than the service: why a quality measure was not met
# ("reason not otherwise specified", G8701, G9699), where a service was given ("an unlisted health
# professional shortage area", modifier AQ). They do not make the code a catch-all.
_QUALIFYING = re.compile(
    r"\breasons?(?:\(s\))?,? (?:not otherwise specified|nos)\b|\bunlisted health professional shortage area",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One row of the page: a field's label, value, what the value means, what the field is."""

    name: str
    label: str
    value: Any
    meaning: str | None
    definition: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Reference:
    """A cross-referenced code with its short description (None if no loaded release has it)."""

    code: str
    short_description: str | None


@dataclass(slots=True)
class Code(CodeRecord):
    """A code as its page shows it: the canonical record plus everything decoded."""

    status: str = ACTUAL
    status_date: str | None = None
    category: str | None = None
    noc: bool = False
    noc_source: str | None = None
    processing_note_text: str | None = None
    processing_note_release: str | None = None
    references: list[Reference] = field(default_factory=list)
    source_file: str | None = None
    replaced_by: list[str] = field(default_factory=list)
    replacement_ambiguous: bool = False
    fields: list[FieldValue] = field(default_factory=list)

    def record(self) -> CodeRecord:
        """The canonical record alone."""
        return CodeRecord.from_dict(CodeRecord.to_dict(self))

    def to_dict(self) -> dict[str, Any]:
        """The page as JSON: the canonical record plus status, category, noc, note text and fields."""
        data = CodeRecord.to_dict(self)
        data.update(
            status=self.status,
            status_date=self.status_date,
            category=self.category,
            noc=self.noc,
            noc_source=self.noc_source,
            processing_note_text=self.processing_note_text,
            processing_note_release=self.processing_note_release,
            cross_reference_details=[
                {"code": r.code, "short_description": r.short_description} for r in self.references
            ],
            source_file=self.source_file,
            replaced_by=self.replaced_by,
            replacement_ambiguous=self.replacement_ambiguous,
            fields=[f.to_dict() for f in self.fields],
        )
        return data


def status_on(added: str | None, terminated: str | None, on: str) -> tuple[str, str | None]:
    """Actual, Terminated or Not yet effective on a date, with the date that decides it."""
    if added and added > on:
        return NOT_YET_EFFECTIVE, added
    if terminated and terminated < on:
        return TERMINATED, terminated
    return ACTUAL, terminated


def status_of(record: CodeRecord, on: str) -> tuple[str, str | None]:
    """A record's status on a date (see status_on)."""
    return status_on(record.added_date, record.termination_date, on)


@lru_cache(maxsize=8192)
def long_date(iso: str) -> str:
    """2002-01-01 as 'January 1, 2002'."""
    day = dt.date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"


def _rows(record: Code, codebook: Codebook) -> list[FieldValue]:
    references = {r.code: r.short_description for r in record.references}
    rows = []
    for spec in codebook.fields:
        raw = getattr(record, spec.name)
        values = raw if spec.name in LIST_FIELDS else [raw]
        numbered = spec.name in LIST_FIELDS and len(values) > 0
        for position, value in enumerate(values or [None], start=1):
            if spec.table:
                meaning = codebook.meaning(spec.table, value)
            elif value is None:
                meaning = None
            elif spec.name in DATE_FIELDS:
                meaning = long_date(value)
            elif spec.name == "processing_note":
                meaning = record.processing_note_text or NOT_IN_NOTES
            elif spec.name == "cross_references":
                meaning = references.get(value)
            else:
                meaning = None
            label = f"{spec.label} #{position}" if numbered else spec.label
            rows.append(FieldValue(spec.name, label, value, meaning, spec.definition))
    return rows


def is_noc_description(record: CodeRecord) -> bool:
    """Whether a procedure's long description says it is a catch-all ("..., not otherwise
    specified", "Unlisted procedure", "Unclassified drugs"). Short descriptions are left out:
    they abbreviate loosely (L3980 "Up ext fx orthos humeral nos" is not a NOC code)."""
    if record.kind != "procedure":
        return False
    text = _QUALIFYING.sub(" ", record.long_description or "")
    return _NOC_WORDS.search(text) is not None


def noc_source(store: Store, record: CodeRecord) -> str | None:
    """Why a code counts as not otherwise classified, or None: CMS's NOC list loaded with the
    release (or the nearest release that has one) decides every code that list's release holds;
    a code added after it is judged by its description."""
    noc_release = store.nearest_release_with("noc_codes", record.release)
    if noc_release and record.code in store.remember(("code set", noc_release), lambda: set(store.codes(noc_release))):
        listed = record.code in store.noc_code_set(noc_release)
        return f"CMS NOC list loaded with release {noc_release}" if listed else None
    return "description" if is_noc_description(record) else None


def build_code(store: Store, record: CodeRecord, on: str | None = None) -> Code:
    """Decode a stored record into its page (status as of `on`, default the release's start)."""
    codebook = load_codebook()
    code = Code(**CodeRecord.to_dict(record))
    release = store.release_info(record.release)
    code.status, code.status_date = status_of(record, on or release["effective_date"])
    code.category = codebook.section(record.code, record.kind)
    code.noc_source = noc_source(store, record)
    code.noc = code.noc_source is not None
    notes_release = store.nearest_release_with("processing_notes", record.release)
    if record.processing_note and notes_release:
        code.processing_note_text = store.processing_notes(notes_release).get(record.processing_note)
        code.processing_note_release = notes_release
    descriptions = store.short_descriptions(record.cross_references, record.release)
    code.references = [Reference(x, descriptions.get(x)) for x in record.cross_references]
    code.source_file = release["record_file"]
    if code.status == TERMINATED:
        chain = store.replacements(record.code, on)
        code.replaced_by, code.replacement_ambiguous = chain.replacements, chain.ambiguous
    code.fields = _rows(code, codebook)
    return code
