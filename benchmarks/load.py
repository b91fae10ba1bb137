"""Benchmark: load each bundled release in a fresh process, beside openpyxl reading its workbook.

The baseline is what the OHDSI vocabulary pipeline does with the ANWEB workbook:
openpyxl reads every row (read-only mode, values only). We parse, validate, store
and index the whole release (text file and workbook compared where both exist).
Both run in fresh processes in the same run; compare the ratio, not the seconds.

    python benchmarks/load.py [--repeat N]
"""

from __future__ import annotations

import argparse
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

OPENPYXL = """
import io, sys, time, zipfile
started = time.perf_counter()
from openpyxl import load_workbook
path, member = sys.argv[1], sys.argv[2]
data = zipfile.ZipFile(path).read(member) if member else open(path, "rb").read()
sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
rows = sum(1 for _ in sheet.iter_rows(values_only=True))
print(time.perf_counter() - started)
"""


def workbook_of(release_dir: Path) -> tuple[Path, str] | None:
    """The .xlsx workbook of a bundled release (openpyxl cannot read old .xls)."""
    for path in sorted(release_dir.iterdir()):
        if path.name == "anweb.xlsx":
            return path, ""
        if path.suffix == ".zip":
            names = zipfile.ZipFile(path).namelist()
            for name in names:
                if "ANWEB" in name.upper() and name.lower().endswith(".xlsx"):
                    return path, name
    return None


def run(script: str, *args: str) -> float:
    """Seconds the script reports for its work, in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", script, *args], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median is shown)")
    repeat = parser.parse_args().repeat
    print(f"{'release':8} {'hcpcs load (s)':>15} {'openpyxl read (s)':>18} {'ratio':>7}")
    for release_dir in sorted(p for p in BUNDLED.iterdir() if p.is_dir()):
        ours = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as scratch:
                store = str(Path(scratch) / "bench.sqlite")
                ours.append(run(LOAD, store, *map(str, sorted(release_dir.iterdir()))))
        workbook = workbook_of(release_dir)
        theirs = [run(OPENPYXL, str(workbook[0]), workbook[1]) for _ in range(repeat)] if workbook else []
        ours_s = statistics.median(ours)
        if theirs:
            theirs_s = statistics.median(theirs)
            print(f"{release_dir.name:8} {ours_s:15.3f} {theirs_s:18.3f} {theirs_s / ours_s:6.1f}x")
        else:
            print(f"{release_dir.name:8} {ours_s:15.3f} {'n/a (.xls)':>18} {'':>7}")
    print("ratio = openpyxl seconds / hcpcs seconds (higher is better for hcpcs)")


if __name__ == "__main__":
    main()
