"""Benchmark: diff of two full releases and a code's history, beside straightforward baselines.

Baselines, same run: the diff computed by decoding both releases' canonical records and
comparing them as dicts (what a script over the JSONL exports does); a code's history by
scanning every release's records for the code.

    python benchmarks/history.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import hcpcs
from hcpcs.history.diff import COMPARED


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
    repeat = parser.parse_args().repeat
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
            return [r for label in labels for r in store.records(label) if r.code == "C9034"]

        ours_diff = seconds(lambda: store.diff(old, new), repeat)
        their_diff = seconds(baseline_diff, repeat)
        ours_history = seconds(lambda: store.history("C9034"), repeat * 20)
        their_history = seconds(baseline_history, repeat)
    print(
        f"diff {old} -> {new}:   hcpcs {ours_diff * 1000:8.1f} ms   baseline {their_diff * 1000:8.1f} ms"
        f"   ({their_diff / ours_diff:.1f}x)"
    )
    print(
        f"history of C9034 ({len(labels)} releases): hcpcs {ours_history * 1000:6.2f} ms"
        f"   baseline {their_history * 1000:8.1f} ms   ({their_history / ours_history:.0f}x)"
    )


if __name__ == "__main__":
    main()
