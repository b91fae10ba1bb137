"""Benchmark: diff of two full releases and a code's history, beside straightforward baselines.

Baselines, same run: the diff computed by decoding both releases' canonical records and
comparing them as dicts (what a script over the JSONL exports does); a code's history by the
one indexed query a user of the store would run (`SELECT <canonical columns> FROM codes WHERE
code = ? ORDER BY release`, docs/store.md), its rows decoded into records. The timeline adds
the field-by-field changes and the termination, leaving-the-file and reuse events.

    python benchmarks/history.py [--repeat N] [--code C9034]
"""

from __future__ import annotations

import argparse
import statistics
import time

import hcpcs
from hcpcs.history.diff import COMPARED
from hcpcs.model import FIELD_NAMES
from hcpcs.store import record_from_row

COLUMNS = ", ".join(FIELD_NAMES)


def seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--code", default="C9034", help="the code whose history is timed")
    options = parser.parse_args()
    repeat, code = options.repeat, options.code
    with hcpcs.open() as store:
        labels = store.release_labels()
        old, new = labels[0], labels[1]

        def baseline_diff() -> dict:
            before = {r.code: r.to_dict() for r in store.records(old)}
            after = {r.code: r.to_dict() for r in store.records(new)}
            return {
                code: {n: [before[code][n], row[n]] for n in COMPARED if before[code][n] != row[n]}
                for code, row in after.items()
                if code in before
            }

        def baseline_history() -> list:
            rows = store.connection.execute(f"SELECT {COLUMNS} FROM codes WHERE code = ? ORDER BY release", (code,))
            return [record_from_row(row) for row in rows]

        assert [r.release for r in baseline_history()] == store.history(code).releases  # the same releases
        ours_diff = seconds(lambda: store.diff(old, new), repeat)
        their_diff = seconds(baseline_diff, repeat)
        ours_history = seconds(lambda: store.history(code), repeat * 20)
        their_history = seconds(baseline_history, repeat * 20)
    print(
        f"diff {old} -> {new}:   hcpcs {ours_diff * 1000:8.1f} ms   baseline {their_diff * 1000:8.1f} ms"
        f"   ({their_diff / ours_diff:.1f}x)"
    )
    print(
        f"history of {code} ({len(labels)} releases): hcpcs {ours_history * 1000:6.3f} ms"
        f"   baseline (one indexed query) {their_history * 1000:6.3f} ms   ({their_history / ours_history:.2f}x)"
    )


if __name__ == "__main__":
    main()
