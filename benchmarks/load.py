"""Benchmark: load each bundled release into a new store, beside a plain pandas load of the same
release into SQLite with a full-text index, each in a fresh process.

Both read the release's ANWEB workbook with the same library (python-calamine; pandas through
its "calamine" engine), so the ratio is not one spreadsheet reader against another. The
baseline is the least that gives a searchable SQLite table: the workbook's rows as text
columns (`to_sql`) and an FTS5 index over code and descriptions. hcpcs does more in its time:
it reads the fixed-width text file too where the zip has one (authoritative) and compares
every field with the workbook, checks every value and date, decodes the record into typed
fields, reads processing notes, the NOC list and the change report, stores provenance
(sha256) and builds its index. Times include starting to work in the fresh interpreter
(imports), not the interpreter's own start.

    python benchmarks/load.py [--repeat N] [--release LABEL ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import hcpcs

BUNDLED = Path(hcpcs.__file__).parent / "releases"

LOAD = """
import sys, time
started = time.perf_counter()
from hcpcs.store import Store
with Store(sys.argv[1], write=True) as store:
    store.load(sys.argv[2:])
print(time.perf_counter() - started)
"""

PANDAS = """
import io, sqlite3, sys, time, zipfile
started = time.perf_counter()
import pandas as pd
store, path, member = sys.argv[1], sys.argv[2], sys.argv[3]
data = zipfile.ZipFile(path).read(member) if member else open(path, "rb").read()
sheet = pd.read_excel(io.BytesIO(data), engine="calamine", header=None, dtype=str)
header = next(row for row in range(len(sheet)) if "HCPC" in set(sheet.iloc[row].astype(str).str.strip()))
sheet.columns = [str(name).strip() for name in sheet.iloc[header]]
rows = sheet.iloc[header + 1:]
connection = sqlite3.connect(store)
rows.to_sql("codes", connection, index=False)
long = next(name for name in rows.columns if "LONG" in name.upper())
short = next(name for name in rows.columns if "SHORT" in name.upper())
connection.execute("CREATE VIRTUAL TABLE codes_fts USING fts5(code, short, long, tokenize='porter unicode61')")
connection.execute(f'INSERT INTO codes_fts SELECT "HCPC", "{short}", "{long}" FROM codes')
connection.commit()
connection.close()
print(time.perf_counter() - started)
"""


def _is_records_workbook(name: str) -> bool:
    lowered = name.lower()
    return (
        "anweb" in lowered
        and lowered.endswith((".xlsx", ".xls"))
        and "correction" not in lowered
        and "transaction" not in lowered
    )


def workbook_of(release_dir: Path) -> tuple[Path, str] | None:
    """The ANWEB workbook of a bundled release (a file, or a zip member), or None: the lean
    bundles of 2025-01 and 2026-01 keep the text file and leave CMS's workbook out."""
    for path in sorted(release_dir.iterdir()):
        if _is_records_workbook(path.name):
            return path, ""
        if path.suffix == ".zip":
            for name in zipfile.ZipFile(path).namelist():
                if _is_records_workbook(name):
                    return path, name
    return None


def run(script: str, *args: str) -> float:
    """Seconds the script reports for its work, in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", script, *args], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def median_of(script: str, repeat: int, *args: str) -> float:
    """The median of `repeat` runs, each into a new store file."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            times.append(run(script, str(Path(scratch) / "bench.sqlite"), *args))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median is shown)")
    parser.add_argument("--release", nargs="+", help="only these bundled releases (default: all)")
    options = parser.parse_args()
    labels = [entry["release"] for entry in json.loads((BUNDLED / "MANIFEST.json").read_text())["releases"]]
    folders = [BUNDLED / label for label in labels if not options.release or label in options.release]
    print(f"{'release':8} {'hcpcs load (s)':>15} {'pandas to SQLite+FTS (s)':>25} {'ratio':>7}")
    for release_dir in folders:
        ours = median_of(LOAD, options.repeat, *map(str, sorted(release_dir.iterdir())))
        found = workbook_of(release_dir)
        if found is None:
            print(f"{release_dir.name:8} {ours:15.3f} {'n/a (no workbook bundled)':>25}")
            continue
        theirs = median_of(PANDAS, options.repeat, str(found[0]), found[1])
        print(f"{release_dir.name:8} {ours:15.3f} {theirs:25.3f} {theirs / ours:6.1f}x")
    print("ratio = baseline seconds / hcpcs seconds (above 1: hcpcs is faster, though it does more)")


if __name__ == "__main__":
    main()
