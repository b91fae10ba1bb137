"""Export speed per format for one release, beside a plain baseline measured in the same run.

Baselines write the same format from the same store, doing the least a script would:
json.dumps per record (JSON Lines), csv.DictWriter over the records' dicts (CSV; hcpcs is
timed without meanings, so both write the same columns), pandas' to_parquet of the records
(Parquet), a SQLite backup of the whole store (SQLite), a CodeSystem built by hand from the
records, a concept per code with its display, long description and a property per field
(FHIR; hcpcs adds each value's meaning, status, category, NOC, replacements and a ConceptMap),
and the standalone code page (`hcpcs show --format html`) written once per code (site).

    python benchmarks/export.py [--release 2020-10] [--repeat 3] [--formats jsonl csv ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import hcpcs
from hcpcs.export import export
from hcpcs.model import FIELD_NAMES

FORMATS = ("jsonl", "csv", "parquet", "sqlite", "fhir", "site")


def timed(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS), help="formats to time")
    options = parser.parse_args()
    with hcpcs.open() as store, tempfile.TemporaryDirectory() as scratch:
        label = store.resolve_release(options.release)
        folder = Path(scratch)

        def records():
            return [record.to_dict() for record in store.records(label)]

        def csv_baseline():
            with (folder / "base.csv").open("w", newline="") as stream:
                writer = csv.DictWriter(stream, FIELD_NAMES)
                writer.writeheader()
                writer.writerows(records())

        def jsonl_baseline():
            with (folder / "base.jsonl").open("w") as stream:
                stream.writelines(json.dumps(row) + "\n" for row in records())

        def parquet_baseline():
            import pandas as pd

            pd.DataFrame(records()).to_parquet(folder / "base.parquet")

        def sqlite_baseline():
            copy = sqlite3.connect(folder / "base.sqlite")
            store.connection.backup(copy)
            copy.close()
            (folder / "base.sqlite").unlink()

        def fhir_baseline():
            concepts = []
            for row in records():
                properties = [
                    {"code": name, "valueString": value if isinstance(value, str) else json.dumps(value)}
                    for name, value in row.items()
                    if value not in (None, []) and name not in ("code", "short_description", "long_description")
                ]
                concepts.append(
                    {"code": row["code"], "display": row["short_description"],
                     "designation": [{"value": row["long_description"]}], "property": properties}
                )  # fmt: skip
            system = {"resourceType": "CodeSystem", "version": label, "content": "complete", "concept": concepts}
            (folder / "base.json").write_text(json.dumps(system))

        def site_baseline():
            from hcpcs.render.html import code_html

            (folder / "pages").mkdir(exist_ok=True)
            for code in store.codes(label):
                (folder / "pages" / f"{code}.html").write_text(code_html(store.lookup(code, label)))

        baselines = {
            "jsonl": ("json.dumps per record", jsonl_baseline),
            "csv": ("csv.DictWriter of the records", csv_baseline),
            "parquet": ("pandas to_parquet of the records", parquet_baseline),
            "sqlite": ("SQLite backup of the whole store", sqlite_baseline),
            "fhir": ("a CodeSystem built by hand from the records", fhir_baseline),
            "site": ("standalone page per code", site_baseline),
        }
        print(f"release {label}, median of {options.repeat}")
        print(f"{'format':8} {'hcpcs s':>8} {'baseline s':>11} {'hcpcs/baseline':>15}  baseline")
        for kind, (what, baseline) in baselines.items():
            if kind not in options.formats:
                continue
            target = folder / f"out-{kind}"

            def ours(kind=kind, target=target):
                export(store, kind, [label], str(target), with_meanings=False)

            mine, theirs = timed(ours, options.repeat), timed(baseline, options.repeat)
            print(f"{kind:8} {mine:8.2f} {theirs:11.2f} {mine / theirs:14.1f}x  {what}")


if __name__ == "__main__":
    main()
