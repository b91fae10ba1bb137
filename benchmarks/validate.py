"""Claim validation throughput and peak memory on generated lines, beside a pandas baseline.

Lines use real codes and modifiers of the bundled releases, dates across 2019-2020, and a
share of invalid codes, bad dates and unknown modifiers. The baseline is a plain pandas
merge on code (the latest release only) with the date-range check: it does far less.
Each run is a fresh process, so peak memory (max RSS) is its own.

    python benchmarks/validate.py [--lines 1000000 10000000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

OURS = """
import resource, sys, time
import hcpcs
from hcpcs.claims.polars_engine import validate_file
started = time.perf_counter()
with hcpcs.open() as store:
    validate_file(store, sys.argv[1], sys.argv[2])
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

BASELINE = """
import resource, sys, time
import pandas as pd
import hcpcs
started = time.perf_counter()
with hcpcs.open() as store:
    columns = ["code", "added_date", "termination_date", "betos", "coverage"]
    table = pd.DataFrame([r.to_dict() for r in store.records()])[columns]
lines = pd.read_csv(sys.argv[1], dtype=str)
merged = lines.merge(table, on="code", how="left")
dates = pd.to_datetime(merged["date_of_service"], errors="coerce")
merged["valid"] = merged["added_date"].notna() & (dates >= pd.to_datetime(merged["added_date"])) & (
    merged["termination_date"].isna() | (dates <= pd.to_datetime(merged["termination_date"])))
merged.to_csv(sys.argv[2], index=False)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def generate(path: Path, count: int) -> None:
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
    frame.write_csv(path)


def run(script: str, source: Path, target: Path) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", script, str(source), str(target)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    seconds, megabytes = out.stdout.split()
    return float(seconds), float(megabytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000_000])
    counts = parser.parse_args().lines
    print(
        f"{'lines':>11} {'hcpcs s':>9} {'lines/s':>10} {'peak MB':>8}   {'pandas s':>9} {'lines/s':>10} {'peak MB':>8}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for count in counts:
            source = Path(scratch) / f"claims-{count}.csv"
            generate(source, count)
            ours = run(OURS, source, Path(scratch) / "ours.parquet")
            theirs = run(BASELINE, source, Path(scratch) / "theirs.csv")
            print(
                f"{count:11,d} {ours[0]:9.1f} {count / ours[0]:10,.0f} {ours[1]:8.0f}   "
                f"{theirs[0]:9.1f} {count / theirs[0]:10,.0f} {theirs[1]:8.0f}"
            )


if __name__ == "__main__":
    main()
