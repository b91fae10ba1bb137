"""Benchmark: building code pages (store.get) beside fetching the bare rows with one SQL query each.

The baseline is the least any lookup does: one indexed SELECT of the canonical row.
A page adds every decoded field, status, section, NOC, note text and references.

    python benchmarks/show.py [--codes N]
"""

from __future__ import annotations

import argparse
import time

import hcpcs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=2000, help="how many codes of the latest release")
    count = parser.parse_args().codes
    with hcpcs.open() as store:
        codes = store.codes()[:count]
        release = store.latest_release()
        started = time.perf_counter()
        for code in codes:
            store.connection.execute("SELECT * FROM codes WHERE release = ? AND code = ?", (release, code)).fetchone()
        bare = (time.perf_counter() - started) / len(codes)
        started = time.perf_counter()
        for code in codes:
            store.get(code)
        pages = (time.perf_counter() - started) / len(codes)
    print(f"codes: {len(codes)} of release {release}")
    print(f"bare row (SQL):      {bare * 1e6:8.1f} us per code")
    print(f"code page (get):     {pages * 1e6:8.1f} us per code")
    print(f"page / bare row:     {pages / bare:8.1f}x")


if __name__ == "__main__":
    main()
