"""Load drug files into the store with the rules of HCPCS releases: everything is read and checked
before anything is stored; a quarter's kind already stored from the same files is 'unchanged',
from other files an error unless replacing; all of one load is one transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from hcpcs.drugs.files import FoundFile
from hcpcs.drugs.kinds import KIND_NAMES
from hcpcs.drugs.read import DrugFile, read_drug_file
from hcpcs.drugs.storage import DrugTables
from hcpcs.errors import InputError, ReleaseExistsError

#: Rows of two forms of one file (workbook and CSV) that differ, listed one by one in the warnings.
DIFFERENCES_LISTED = 10


@dataclass(frozen=True, slots=True)
class DrugLoadResult:
    """What loading one kind of a drug quarter did: 'loaded', 'replaced' or 'unchanged'."""

    quarter: str
    kind: str
    rows: int
    level_i_rows_left_out: int
    seconds: float
    status: str
    warnings: int
    files: tuple[str, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {name: list(v) if isinstance(v := getattr(self, name), tuple) else v for name in self.__slots__}


@dataclass(slots=True)
class PlannedFile:
    """A file read and checked against the store, ready to store (or already stored)."""

    data: DrugFile
    sources: list[tuple[str, str]]  # (file, sha256): every file it was given as
    read_from: str
    seconds: float
    status: str = "loaded"
    note: str = ""


def _differences(kept: DrugFile, other: DrugFile) -> list[str]:
    """Rows where two forms of one file disagree, as warnings (the first few, then a count)."""
    ours, theirs = set(kept.rows), set(other.rows)
    differing = sorted(ours ^ theirs, key=lambda row: (row[0], str(row)))
    lines = [f"{other.name}: {row[0]} {'only in' if row in theirs else 'not in'} this form: {row}"
             for row in differing[:DIFFERENCES_LISTED]]  # fmt: skip
    if len(differing) > DIFFERENCES_LISTED:
        lines.append(f"{other.name}: {len(differing) - DIFFERENCES_LISTED} more rows differ from {kept.name}")
    return lines


def _merge(group: list[tuple[DrugFile, float]]) -> PlannedFile:
    """One quarter's files of one kind given together: the same bytes twice, or a workbook and its
    section 508 CSV (the CSV is kept, differences warned); two different CSVs are refused."""
    by_hash: dict[str, tuple[DrugFile, float]] = {}
    for data, seconds in group:
        by_hash.setdefault(data.sha256, (data, seconds))
    forms = sorted(by_hash.values(), key=lambda item: (item[0].workbook, item[0].name))
    kept = forms[0][0]
    csvs = [d for d, _ in forms if not d.workbook]
    if len(csvs) > 1 or (not csvs and len(forms) > 1):
        names = ", ".join(d.name for d, _ in forms)
        raise InputError(names, None, f"several different files hold the {KIND_NAMES[kept.kind]} of drug quarter "
                                      f"{kept.quarter}; load the one you mean")  # fmt: skip
    for other, _ in forms[1:]:
        kept.warnings += _differences(kept, other)
    return PlannedFile(kept, [(d.name, d.sha256) for d, _ in forms], kept.name, sum(s for _, s in forms))


def read_found(found: list[FoundFile]) -> list[PlannedFile]:
    """Read every found drug file (InputError on the first damaged one), one entry per quarter and kind."""
    groups: dict[tuple[str, str], list[tuple[DrugFile, float]]] = {}
    for item in found:
        started = time.perf_counter()
        data = read_drug_file(item.kind, item.name, item.data)
        groups.setdefault((data.quarter, data.kind), []).append((data, time.perf_counter() - started))
    return [_merge(group) for _, group in sorted(groups.items())]


def plan(tables: DrugTables, planned: list[PlannedFile], replace: bool) -> list[PlannedFile]:
    """Mark each file loaded, replaced or unchanged against the store; ReleaseExistsError for a
    quarter's kind stored from other files when not replacing. Changes nothing."""
    stored = tables.stored_hashes()
    for item in planned:
        key = (item.data.quarter, item.data.kind)
        hashes = {sha256 for _, sha256 in item.sources}
        if key not in stored:
            continue
        what = f"the {KIND_NAMES[item.data.kind]} of drug quarter {item.data.quarter}"
        if hashes <= stored[key]:
            item.status, item.note = "unchanged", f"{what} is already stored from these files; nothing changed"
        elif not replace:
            raise ReleaseExistsError(f"{what} is already stored from other files; use --replace to replace it")
        else:
            item.status = "replaced"
    return planned


def store(tables: DrugTables, planned: list[PlannedFile], replace: bool = False) -> list[DrugLoadResult]:
    """Check the planned files against the store and store them, in one write transaction (a
    concurrent load of the same files waits, then finds them stored; a server sees the new
    generation); a result per quarter and kind."""
    from hcpcs.connection import write_transaction

    connection = tables.connection
    started = time.perf_counter()
    with write_transaction(connection):
        plan(tables, planned, replace)
        changing = [item for item in planned if item.status != "unchanged"]
        for item in changing:
            if item.status == "replaced":
                tables.delete(item.data.quarter, item.data.kind)
            tables.insert(item.data, item.sources, item.read_from)
    share = (time.perf_counter() - started) / max(len(changing), 1)
    return [
        DrugLoadResult(
            item.data.quarter,
            item.data.kind,
            len(item.data.rows),
            item.data.level_i_rows,
            item.seconds + (share if item.status != "unchanged" else 0.0),
            item.status,
            len(item.data.warnings) if item.status != "unchanged" else 0,
            tuple(name for name, _ in item.sources),
            item.note,
        )  # fmt: skip
        for item in planned
    ]
