"""Exports of stored releases to the files others load: JSON Lines, CSV, Parquet, SQLite,
FHIR R4 (CodeSystem + ConceptMap in a transaction Bundle) and a static site."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from hcpcs.atomic import replacing
from hcpcs.errors import HcpcsError, InputError
from hcpcs.store import Store

FORMATS = ("jsonl", "csv", "parquet", "sqlite", "fhir", "site")
#: Formats written to a text stream (so `--out -` works).
TEXT_FORMATS = ("jsonl", "csv", "fhir")


def _fhir(store: Store, labels: list[str], stream: TextIO, with_meanings: bool = False) -> int:
    from hcpcs.terminology import bundle, code_system, concept_map

    resources = []
    for label in labels:
        resources += [code_system(store, label, summary=False), concept_map(store, label)]
    json.dump(bundle(resources), stream, ensure_ascii=False)
    stream.write("\n")
    return sum(resource["count"] for resource in resources if resource["resourceType"] == "CodeSystem")


def _text_writer(kind: str) -> Callable[[Store, list[str], TextIO, bool], int]:
    from hcpcs.export import tabular

    return {"jsonl": tabular.write_jsonl, "csv": tabular.write_csv, "fhir": _fhir}[kind]


def export(store: Store, kind: str, labels: list[str], out: str, with_meanings: bool = False) -> int:
    """Write the releases in the format to `out` (a path, or "-" for stdout where the format
    is text); files are written beside the target and renamed into place. Returns the count of
    records (pages, for a site)."""
    if kind not in FORMATS:
        raise InputError("--format", None, f"{kind!r} is not one of {', '.join(FORMATS)}")
    if with_meanings and kind not in ("jsonl", "csv", "parquet"):
        raise InputError("--with-meanings", None, f"is for csv, jsonl and parquet, not {kind}")
    if out == "-" and kind not in TEXT_FORMATS:
        raise InputError("--out", None, f"{kind} needs a file or directory to write, not standard output")
    if kind == "site":
        from hcpcs.export.site import write_site

        if len(labels) != 1:
            raise InputError("--all-releases", None, "a site shows one release; export one site per release")
        return write_site(store, labels[0], Path(out)).pages
    if out == "-":
        return _text_writer(kind)(store, labels, sys.stdout, with_meanings)
    target = Path(out)
    if target.is_dir():
        raise InputError(out, None, "is a directory; give a file name")
    try:
        if kind == "sqlite":
            from hcpcs.export.sqlite import write_sqlite

            return write_sqlite(store, labels, target)
        with replacing(target) as partial:
            if kind == "parquet":
                from hcpcs.export.tabular import write_parquet

                return write_parquet(store, labels, partial, with_meanings)
            with partial.open("w", encoding="utf-8", newline="") as stream:
                return _text_writer(kind)(store, labels, stream, with_meanings)
    except OSError as error:
        raise HcpcsError(f"{out}: cannot write ({error.strerror or error})") from None
