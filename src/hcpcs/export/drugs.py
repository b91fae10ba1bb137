"""Drug tables of chosen quarters as CSV, JSON Lines or Parquet: the payment limit files (one row
per code and quarter) or the NDC-HCPCS crosswalks (one row per NDC package and quarter), with
the names `hcpcs price` and `hcpcs ndc` use. (The SQLite export keeps every drug table whole.)"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from hcpcs.atomic import replacing
from hcpcs.drugs.answers import number
from hcpcs.drugs.kinds import CROSSWALK, PAYMENT_LIMITS
from hcpcs.drugs.read import COLUMNS, NUMERIC
from hcpcs.errors import HcpcsError, InputError
from hcpcs.store import Store

#: `--drugs` values and the table each names.
TABLES = {"payment-limits": PAYMENT_LIMITS, "crosswalk": CROSSWALK}
FORMATS = ("csv", "jsonl", "parquet")


def quarters_of(store: Store, kind: str, quarter: str | None, every: bool) -> list[str]:
    """The stored quarters holding the kind: all, the one named, or (default) the newest."""
    stored = [q.quarter for q in store.drug_quarters() if kind in q.files]
    if not stored:
        raise InputError("--drugs", None, "the store holds no such drug file; load one with `hcpcs load FILE`")
    if every:
        return stored
    if quarter is None:
        return stored[-1:]
    if quarter not in stored:
        raise InputError("--quarter", None, f"{quarter!r} is not a stored drug quarter (stored: {', '.join(stored)})")
    return [quarter]


def export_drugs(store: Store, table: str, file_format: str, quarters: list[str], out: str) -> int:
    """Write the table's rows of the quarters to `out` ('-': standard output); returns the count."""
    if table not in TABLES:
        raise InputError("--drugs", None, f"{table!r} is not one of {', '.join(TABLES)}")
    if file_format not in FORMATS:
        raise InputError("--format", None, f"drug tables are written as {', '.join(FORMATS)}, not {file_format}")
    if out == "-" and file_format == "parquet":
        raise InputError("--out", None, "parquet needs a file to write, not standard output")
    kind = TABLES[table]
    names = ["quarter", *COLUMNS[kind]]
    rows = ([number(value) for value in row] for row in store.drugs.rows(kind, quarters))
    if out == "-":
        return _write_text(file_format, names, rows, sys.stdout)
    target = Path(out)
    if target.is_dir():
        raise InputError(out, None, "is a directory; give a file name")
    try:
        with replacing(target) as partial:
            if file_format == "parquet":
                import polars as pl

                schema = {n: pl.Float64 if n in NUMERIC[kind] else pl.String for n in names}
                frame = pl.DataFrame(list(rows), schema=schema, orient="row")
                frame.write_parquet(partial)
                return frame.height
            with partial.open("w", encoding="utf-8", newline="") as stream:
                return _write_text(file_format, names, rows, stream)
    except OSError as error:
        raise HcpcsError(f"{out}: cannot write ({error.strerror or error})") from None


def _write_text(file_format: str, names: list[str], rows, stream) -> int:
    count = 0
    if file_format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(row)
            count += 1
        return count
    for row in rows:
        stream.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
        count += 1
    return count
