"""Claim validation throughput and peak memory on generated lines, beside a pandas baseline.

Lines use real codes and modifiers of the bundled releases, dates across 2019-2020, and a
share of invalid codes, bad dates and unknown modifiers. The baseline is what a pandas user
would write: read the lines, merge them on code with the latest release's records, check the
date of service against the added and termination dates, add the same record columns hcpcs
adds (descriptions, BETOS, coverage, pricing indicators, types of service, and their
meanings where hcpcs gives them) and write the result in the same format as hcpcs (Parquet
unless --output says otherwise). It still checks far less (one release, no modifiers, no
conflicts, no as-of rule). Each run is a fresh process, so its peak memory is its own. Two
figures: peak RSS (VmHWM, which counts the pages of the input file polars maps into memory)
and peak anonymous memory (sampled every 10 ms: what the process itself allocated).

    python benchmarks/validate.py [--lines 1000000 10000000] [--input csv|parquet|jsonl] [--output parquet|csv|jsonl]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

PEAK = """
import threading, time
peak_anon = 0
def sample():
    global peak_anon
    while True:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    peak_anon = max(peak_anon, int(line.split()[1]) / 1024)
        time.sleep(0.01)
threading.Thread(target=sample, daemon=True).start()
def report(started):
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent (which generated the lines).
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
    print(time.perf_counter() - started, peak, peak_anon)
"""

OURS = (
    PEAK
    + """
import sys
import hcpcs
from hcpcs.claims.polars_engine import validate_file
started = time.perf_counter()
with hcpcs.open() as store:
    validate_file(store, sys.argv[1], sys.argv[2])
report(started)
"""
)

BASELINE = (
    PEAK
    + """
import sys
import pandas as pd
import hcpcs
started = time.perf_counter()
with hcpcs.open() as store:
    book = store.codebook
    columns = ["code", "added_date", "termination_date", "short_description", "long_description", "betos",
               "coverage", "pricing_indicators", "type_of_service"]
    table = pd.DataFrame([r.to_dict() for r in store.records()])[columns]
    table["betos_description"] = table["betos"].map(book.values("betos"))
    table["coverage_description"] = table["coverage"].map(book.values("coverage"))
source, target = sys.argv[1], sys.argv[2]
if source.endswith(".parquet"):
    lines = pd.read_parquet(source)
elif source.endswith(".jsonl"):
    lines = pd.read_json(source, lines=True, dtype=str)
else:
    lines = pd.read_csv(source, dtype=str, keep_default_na=False)
merged = lines.merge(table, on="code", how="left")
dates = pd.to_datetime(merged["date_of_service"], errors="coerce")
valid = merged["added_date"].notna() & (dates >= pd.to_datetime(merged["added_date"])) & (
    merged["termination_date"].isna() | (dates <= pd.to_datetime(merged["termination_date"])))
merged["status"] = valid.map({True: "ok", False: "error"})
if target.endswith(".parquet"):
    merged.to_parquet(target, index=False)
elif target.endswith(".jsonl"):
    merged.to_json(target, orient="records", lines=True)
else:
    for name in ("pricing_indicators", "type_of_service"):  # CSV holds a list joined by ";", as hcpcs writes it
        merged[name] = merged[name].map(lambda items: ";".join(items) if isinstance(items, list) else "")
    merged.to_csv(target, index=False)
report(started)
"""
)


def generate(path: Path, count: int) -> None:
    """`count` claim lines written to `path` (CSV, Parquet or JSON Lines by its extension)."""
    import numpy as np
    import polars as pl

    import hcpcs

    with hcpcs.open() as store:
        codes = sorted({c for label in store.release_labels() for c in store.codes(label) if len(c) == 5})
        modifiers = sorted({c for label in store.release_labels() for c in store.codes(label) if len(c) == 2})
    random = np.random.default_rng(7)
    pool = np.array(codes + ["ZZ999", "S93#9", "99213"])
    days = random.integers(0, 730, count)
    frame = pl.DataFrame(
        {
            "claim_id": (np.arange(count) // 3).astype(str),
            "line": (np.arange(count) % 3 + 1).astype(str),
            "code": pool[random.integers(0, len(pool), count)],
            "modifiers": np.array(modifiers + ["", "", "", "ZQ", "59"])[random.integers(0, len(modifiers) + 5, count)],
            "date_of_service": days,
        }
    ).with_columns(
        (pl.date(2019, 1, 1) + pl.duration(days=pl.col("date_of_service")))
        .dt.strftime("%Y-%m-%d")
        .alias("date_of_service")
    )
    {".csv": frame.write_csv, ".parquet": frame.write_parquet, ".jsonl": frame.write_ndjson}[path.suffix](path)


def run(script: str, source: Path, target: Path) -> tuple[float, float, float]:
    out = subprocess.run([sys.executable, "-c", script, str(source), str(target)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    seconds, rss, anonymous = map(float, out.stdout.split())
    return seconds, rss, anonymous


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--input", choices=["csv", "parquet", "jsonl"], default="csv", help="format of the lines")
    parser.add_argument("--output", choices=["parquet", "csv", "jsonl"], default="parquet", help="both write this")
    options = parser.parse_args()
    counts = options.lines
    head = f"{'s':>7} {'lines/s':>10} {'RSS MB':>7} {'anon MB':>8}"
    print(f"{options.input} in, {options.output} out (both)")
    print(f"{'':11} {'hcpcs':^35}   {'pandas baseline':^35}   speed-up")
    print(f"{'lines':>11} {head}   {head}")
    with tempfile.TemporaryDirectory() as scratch:
        for count in counts:
            source = Path(scratch) / f"claims-{count}.{options.input}"
            generate(source, count)
            ours = run(OURS, source, Path(scratch) / f"ours.{options.output}")
            theirs = run(BASELINE, source, Path(scratch) / f"theirs.{options.output}")
            shown = [f"{s:7.1f} {count / s:10,.0f} {rss:7.0f} {anon:8.0f}" for s, rss, anon in (ours, theirs)]
            print(f"{count:11,d} {shown[0]}   {shown[1]}   {theirs[0] / ours[0]:.1f}x")


if __name__ == "__main__":
    main()
