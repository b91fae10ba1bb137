"""The code page: a record with every field decoded, its status, section, note and references."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from hcpcs.codebook import Codebook, load_codebook
from hcpcs.model import DATE_FIELDS, FIELD_NAMES, LIST_FIELDS, CodeRecord

if TYPE_CHECKING:
    from hcpcs.drugs.section import DrugSection
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


@dataclass(slots=True)  # not frozen: a page builds ~25 of these, and frozen __init__ is 2x slower
class FieldValue:
    """One row of the page: a field's label, value, what the value means, what the field is."""

    name: str
    label: str
    value: Any
    meaning: str | None
    definition: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        value = list(self.value) if isinstance(self.value, list) else self.value
        return {"name": self.name, "label": self.label, "value": value, "meaning": self.meaning,
                "definition": self.definition}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reference:
    """A cross-referenced code with its short description (None if no loaded release has it)."""

    code: str
    short_description: str | None


@dataclass(frozen=True, slots=True)
class LastUpdate:
    """When a record last changed, from the stored releases: the release and what happened there.

    kind: "changed" (the fields in `fields` differ from the previous stored release), "added" (the
    code first appears in a stored release after the oldest), "reappeared" (back after a gap) or
    "first stored" (unchanged since the oldest stored release; earlier changes are not known).
    """

    release: str
    kind: str
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"release": self.release, "kind": self.kind, "fields": list(self.fields)}


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
    corrections: list[dict[str, Any]] = field(default_factory=list)  # CMS's errata naming this code
    anomalies: list[dict[str, str]] = field(default_factory=list)  # values left null, CMS's raw text kept
    currency: dict[str, Any] | None = None  # which release answers and whether the date is past the data
    revised_later: dict[str, Any] | None = None  # a later release that changed the date's answer
    as_known_now: bool = False  # answered by the newest release's record
    last_updated: LastUpdate | None = None
    drug: DrugSection | None = None  # Part B billing facts (hcpcs.drugs), for drug codes

    @property
    def notices(self) -> list[str]:
        """What a reader should know before trusting the fields, one line each (HTML, text, Markdown)."""
        lines = [correction_line(c) for c in self.corrections]
        lines += [f"{a['field']}: CMS's file has {a['raw']!r} ({a['problem']}); shown as blank" for a in self.anomalies]
        if self.revised_later:
            lines.append(self.revised_later["message"])
        return lines

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
            corrections=self.corrections,
            anomalies=self.anomalies,
            currency=self.currency,
            revised_later=self.revised_later,
            as_known_now=self.as_known_now,
            notices=self.notices,
            last_updated=self.last_updated.to_dict() if self.last_updated else None,
            contacts=contacts()["contacts"],
            drug=self.drug.to_dict() if self.drug else None,
        )
        return data


def correction_line(correction: dict[str, Any]) -> str:
    """'CMS correction of 2026-01-12 to release 2026-01: Revise TOS (TOS: 1,P; effective 2026-01-01)'."""
    when = f" of {correction['issued']}" if correction.get("issued") else ""
    details = [f"{name}: {value}" for name, value in correction["details"].items()]
    if correction.get("effective_date"):
        details.append(f"effective {correction['effective_date']}")
    extra = f" ({'; '.join(details)})" if details else ""
    return f"CMS correction{when} to release {correction['release']}: {correction['action']}{extra}"


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


@lru_cache(maxsize=4)
def _row_plan(codebook: Codebook) -> tuple[tuple[str, str, str, str | None, bool, bool], ...]:
    """Per field, in page order: name, label, definition, value table, is a list, is a date."""
    return tuple(
        (spec.name, spec.label, spec.definition, spec.table, spec.name in LIST_FIELDS, spec.name in DATE_FIELDS)
        for spec in codebook.fields
    )


@lru_cache(maxsize=4096)
def _table_meaning(codebook: Codebook, table: str, value: str | None) -> str | None:
    return codebook.meaning(table, value)


def _rows(record: Code, codebook: Codebook) -> list[FieldValue]:
    # Built for every page served: the field plan and the value meanings are cached.
    references = {r.code: r.short_description for r in record.references}
    rows = []
    for name, label, definition, table, is_list, is_date in _row_plan(codebook):
        raw = getattr(record, name)
        values = raw if is_list else (raw,)
        numbered = is_list and len(values) > 0
        for position, value in enumerate(values or (None,), start=1):
            if table:
                meaning = _table_meaning(codebook, table, value)
            elif value is None:
                meaning = None
            elif is_date:
                meaning = long_date(value)
            elif name == "processing_note":
                meaning = record.processing_note_text or NOT_IN_NOTES
            elif name == "cross_references":
                meaning = references.get(value)
            else:
                meaning = None
            rows.append(FieldValue(name, f"{label} #{position}" if numbered else label, value, meaning, definition))
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
    code = Code(**{name: getattr(record, name) for name in FIELD_NAMES})  # a fresh record: no copy needed
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
    code.corrections = store.code_corrections(record.code, record.release)
    code.anomalies = store.anomalies(record.release, record.code)
    code.last_updated = last_update(store, record.code, record.release)
    if record.kind == "procedure":
        from hcpcs.drugs.section import drug_section

        code.drug = drug_section(store.drugs, record.code, on)
    return code


@cache
def contacts() -> dict[str, Any]:
    """Where to ask about a code (CMS's HCPCS email, the PDAC helpline, Coding Clinic): a data file."""
    return json.loads((files("hcpcs") / "data" / "contacts.json").read_text(encoding="utf-8"))


@cache
def procedure_only_fields() -> frozenset[str]:
    """Fields no modifier record fills (a data file with its source): modifier pages leave them out."""
    text = (files("hcpcs") / "data" / "procedure_only_fields.csv").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return frozenset(lines[1:])


def shown_fields(code: Code) -> list[FieldValue]:
    """The page's rows for people: a modifier's empty procedure-only fields left out."""
    if code.kind != "modifier":
        return code.fields
    hidden = procedure_only_fields()
    return [row for row in code.fields if row.value is not None or row.name not in hidden]


def last_update(store: Store, code: str, release: str) -> LastUpdate:
    """The release, up to `release`, where a code's record last changed (one indexed query)."""
    from hcpcs.history.diff import COMPARED

    position = store.remember(
        ("label positions",), lambda: {label: n for n, label in enumerate(store.release_labels())}
    )
    rows = store.connection.execute(
        f"SELECT release, {', '.join(COMPARED)} FROM codes WHERE code = ? AND release <= ? ORDER BY release",
        (code, release),
    ).fetchall()
    for previous, row in zip(reversed(rows[:-1]), reversed(rows[1:]), strict=True):
        if position[row[0]] != position[previous[0]] + 1:
            return LastUpdate(row[0], "reappeared")
        if row[1:] != previous[1:]:
            changed = tuple(name for name, a, b in zip(COMPARED, previous[1:], row[1:], strict=True) if a != b)
            return LastUpdate(row[0], "changed", changed)
    return LastUpdate(rows[0][0], "first stored" if position[rows[0][0]] == 0 else "added")


def describe_last_update(update: LastUpdate, codebook: Codebook | None = None) -> str:
    """'release 2020-01 (Type Of Service Code changed)', as the pages write it."""
    codebook = codebook or load_codebook()
    if update.kind == "changed":
        labels = ", ".join(codebook.field(name).label for name in update.fields)
        return f"release {update.release} ({labels} changed)"
    if update.kind == "first stored":
        return f"release {update.release}, the oldest stored release (no change since)"
    if update.kind == "reappeared":
        return f"release {update.release} (back in the file after a gap)"
    return f"release {update.release} (the code was added)"
