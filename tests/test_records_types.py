"""Every machine-readable output gives each canonical field the type docs/records.md says:
JSON and JSON Lines (exports, `show`, `diff`, `history`, `validate`), CSV and Parquet."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def documented_types() -> dict[str, str]:
    """field -> list, date, integer or text, from the table of docs/records.md."""
    text = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    types = {}
    for field, kind in re.findall(r"^\| `(\w+)` \| ([^|]+) \|", text, re.M):
        first = kind.split()[0].strip("`,")
        types[field] = first if first in ("list", "date", "integer") else "text"
    return types


TYPES = documented_types()


def check_json_value(field: str, value: object) -> None:
    kind = TYPES[field]
    if kind == "list":
        assert isinstance(value, list) and all(isinstance(item, str) for item in value), (field, value)
    elif value is None:
        return
    elif kind == "date":
        assert isinstance(value, str) and ISO_DATE.fullmatch(value), (field, value)
    elif kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), (field, value)
    else:
        assert isinstance(value, str), (field, value)


def check_json_record(record: dict) -> None:
    for field, value in record.items():
        if field in TYPES:
            check_json_value(field, value)


def test_the_records_page_types_every_field():
    assert len(TYPES) == 26 and TYPES["anesthesia_base_units"] == "integer"
    assert TYPES["pricing_indicators"] == "list" and TYPES["termination_date"] == "date"


def test_jsonl_export_with_meanings(full_store):
    result = run_cli("--db", str(full_store), "export", "--format", "jsonl", "--release", "2019-01", "--with-meanings")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) > 6000 and set(TYPES) <= set(rows[0])
    for row in rows:
        check_json_record(row)
    assert any(row["anesthesia_base_units"] is not None for row in rows)


def test_csv_export_reads_back_as_the_types_say(full_store):
    text = run_cli("--db", str(full_store), "export", "--format", "csv", "--release", "2020-10").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for field, kind in TYPES.items():
            value = row[field]
            if kind == "date" and value:
                date.fromisoformat(value)
            elif kind == "integer" and value:
                assert value.isdigit(), (field, value)
            elif kind == "list" and value:
                assert all(item for item in value.split(";")), (field, value)


def test_parquet_export_schema(full_store, tmp_path):
    out = tmp_path / "all.parquet"
    assert (
        run_cli(
            "--db", str(full_store), "export", "--format", "parquet", "--all-releases", "--out", str(out)
        ).returncode
        == 0
    )
    schema = pl.read_parquet_schema(out)
    expected = {"list": pl.List(pl.String), "date": pl.Date, "text": pl.String}
    for field, kind in TYPES.items():
        if kind == "integer":
            assert schema[field].is_integer(), field
        else:
            assert schema[field] == expected[kind], (field, schema[field])


def test_show_diff_and_history_json(full_store):
    page = json.loads(run_cli("--db", str(full_store), "show", "S9329", "--format", "json").stdout)
    check_json_record(page)
    assert page["anesthesia_base_units"] == 0 and page["pricing_indicators"] == ["00"]
    changed = json.loads(run_cli("--db", str(full_store), "diff", "2019-01", "2020-01", "--format", "json").stdout)
    for fields in changed["changed"].values():
        for field, (old, new) in fields.items():
            check_json_value(field, old)
            check_json_value(field, new)
    timeline = json.loads(run_cli("--db", str(full_store), "history", "C9034", "--format", "json").stdout)
    for event in timeline["events"]:
        for field, (old, new) in event["changes"].items():
            check_json_value(field, old)
            check_json_value(field, new)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_validate_output_keeps_record_fields_typed(full_store, tmp_path, suffix):
    """The record fields a checked line carries are typed as the record's; CSV joins lists by `;`."""
    source = tmp_path / "claims.csv"
    source.write_text("claim_id,line,code,modifiers,date_of_service\n1,1,E0431,,2020-05-01\n1,2,ZZ999,,2020-05-01\n")
    out = tmp_path / f"checked{suffix}"
    assert run_cli("--db", str(full_store), "validate", str(source), "--out", str(out)).returncode == 1
    if suffix == ".parquet":
        rows = pl.read_parquet(out).to_dicts()
    else:
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    check_json_record(rows[0])
    assert (rows[0]["pricing_indicators"], rows[0]["type_of_service"]) == (["33"], ["R"])
    assert (rows[1]["release"], rows[1]["pricing_indicators"]) == (None, None)  # an unknown code: no record
    as_csv = run_cli("--db", str(full_store), "validate", str(source)).stdout
    first = next(csv.DictReader(io.StringIO(as_csv)))
    assert (first["pricing_indicators"], first["type_of_service"]) == ("33", "R")
