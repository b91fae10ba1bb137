"""Search speed: p50/p95 per query and per suggestion in process, and CLI start-up to first result.

Baseline in the same run: a plain FTS5 prefix-AND query per search (every word as a prefix,
ranked by bm25) over the same index: what search costs with no lexicon, typos or tiers.

    python benchmarks/search_speed.py [--repeat N] [--cli-runs N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time

import hcpcs

from search_quality import read_queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(function, items, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for item in items:
            started = time.perf_counter()
            function(item)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of the CLI and of a bare interpreter")
    options = parser.parse_args()
    repeat, cli_runs = options.repeat, options.cli_runs
    queries = [query for query, _, _ in read_queries()]
    typed = sorted({query[:n] for query in queries for n in range(1, len(query) + 1)})
    with hcpcs.open() as store:
        release = store.latest_release()
        for query in queries:  # warm caches (vocabulary, lexicon, imports) as a server would be
            store.search(query)

        first, last = store.connection.execute(
            "SELECT min(id), max(id) FROM codes WHERE release = ?", (release,)
        ).fetchone()

        def baseline(query: str) -> None:
            words = re.findall(r"[a-z0-9]+", query.lower())
            if words:
                store.connection.execute(
                    "SELECT c.code FROM codes_fts CROSS JOIN codes c ON c.id = codes_fts.rowid "
                    "WHERE codes_fts MATCH ? AND codes_fts.rowid BETWEEN ? AND ? ORDER BY bm25(codes_fts) LIMIT 10",
                    (" AND ".join(f'"{w}"*' for w in words), first, last),
                ).fetchall()

        ours = timed(lambda q: store.search(q, limit=10), queries, repeat)
        plain = timed(baseline, queries, repeat)
        suggestions = timed(lambda q: store.suggest(q, limit=10), typed, 1)
        plain_typed = timed(baseline, typed, 1)
    print(f"release {release}: {len(queries)} queries x {repeat}, {len(typed)} as-you-type prefixes")
    print(f"{'':28} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in (
        ("search (hcpcs)", ours),
        ("plain FTS prefix-AND", plain),
        ("suggest (hcpcs)", suggestions),
        ("plain FTS on typed prefixes", plain_typed),
    ):
        print(f"{name:28} {statistics.median(values):8.2f} {percentile(values, 0.95):8.2f}")
    bare = statistics.median(timed(lambda _: subprocess.run([sys.executable, "-c", "pass"], check=True), [0], cli_runs))
    cli = statistics.median(
        timed(
            lambda _: subprocess.run(
                [sys.executable, "-m", "hcpcs", "search", "oxygen concentrator", "--format", "json"],
                check=True,
                capture_output=True,
            ),
            [0],
            cli_runs,
        )
    )
    print(f"CLI `hcpcs search` to first result: {cli:.0f} ms (bare python -c pass: {bare:.0f} ms)")


if __name__ == "__main__":
    main()
