"""Releases as tables: JSON Lines, CSV and Parquet, one row per code and release.

Every row is the canonical fields in canonical order (`release` among them). CSV joins
lists with `;` (no value or meaning holds one); JSON Lines and Parquet keep them as lists.
With meanings, each coded field is followed by `<field>_meaning` (the codebook's meaning;
for `processing_note`, the note's text), lists of meanings joined by `;` in CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from hcpcs.model import DATE_FIELDS, FIELD_NAMES, LIST_FIELDS

if TYPE_CHECKING:
    import polars as pl

    from hcpcs.store import Store

#: Fields whose values have meanings (a codebook table, or the processing notes).
MEANING_FIELDS = (
    "kind", "pricing_indicators", "multiple_pricing_indicator", "coverage", "processing_note", "betos",
    "type_of_service", "action_code", "lab_certifications", "asc_group", "mog_payment_group",
    "mog_payment_policy_indicator",
)  # fmt: skip


def columns(with_meanings: bool = False) -> list[str]:
    """The columns of an export, in order."""
    names = []
    for name in FIELD_NAMES:
        names.append(name)
        if with_meanings and name in MEANING_FIELDS:
            names.append(f"{name}_meaning")
    return names


def rows(store: Store, labels: list[str], with_meanings: bool = False) -> Iterator[dict[str, Any]]:
    """Every record of the releases as an export row (lists kept as lists)."""
    codebook = store.codebook
    tables = {spec.name: spec.table for spec in codebook.fields if spec.table}
    for label in labels:
        notes_release = store.nearest_release_with("processing_notes", label)
        notes = store.processing_notes(notes_release) if notes_release else {}
        for record in store.records(label):
            row: dict[str, Any] = {}
            for name, value in record.to_dict().items():
                row[name] = value
                if not with_meanings or name not in MEANING_FIELDS:
                    continue
                if name == "processing_note":
                    row[f"{name}_meaning"] = notes.get(value) if value else None
                elif name in LIST_FIELDS:
                    row[f"{name}_meaning"] = [codebook.meaning(tables[name], item) or "" for item in value]
                else:
                    row[f"{name}_meaning"] = codebook.meaning(tables[name], value)  # a blank can mean something
            yield row


def write_jsonl(store: Store, labels: list[str], out: TextIO, with_meanings: bool = False) -> int:
    """One JSON object per line; returns the count."""
    count = 0
    for row in rows(store, labels, with_meanings):
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def write_csv(store: Store, labels: list[str], out: TextIO, with_meanings: bool = False) -> int:
    """UTF-8 CSV with a header; lists joined by `;`, no value as an empty field."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(with_meanings))
    count = 0
    for row in rows(store, labels, with_meanings):
        writer.writerow(";".join(value) if isinstance(value, list) else value for value in row.values())
        count += 1
    return count


def frame(store: Store, labels: list[str], with_meanings: bool = False) -> pl.DataFrame:
    """The rows as a typed polars frame: dates as dates, lists as lists, the integer as an integer."""
    import polars as pl

    schema: dict[str, Any] = {}
    for name in columns(with_meanings):
        base = name.removesuffix("_meaning")
        if base in LIST_FIELDS:
            schema[name] = pl.List(pl.String)
        elif name in DATE_FIELDS:
            schema[name] = pl.Date
        elif name == "anesthesia_base_units":
            schema[name] = pl.Int32
        else:
            schema[name] = pl.String
    text_dates = {name: pl.String for name in DATE_FIELDS}
    data = pl.DataFrame(list(rows(store, labels, with_meanings)), schema=schema | text_dates, orient="row")
    return data.with_columns(pl.col(name).str.to_date() for name in DATE_FIELDS)


def write_parquet(store: Store, labels: list[str], out, with_meanings: bool = False) -> int:
    """One Parquet file, typed (see `frame`)."""
    data = frame(store, labels, with_meanings)
    data.write_parquet(out)
    return data.height
