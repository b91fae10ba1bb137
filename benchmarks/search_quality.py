"""Search quality: hit@1, hit@5 and MRR on a query set written as users type, beside an NLM-style baseline.

The baseline has NLM Clinical Tables semantics: every query word must prefix-match a word of
the code or its descriptions (implicit AND), hits in code order. Both run on the same release
in the same run. Queries: benchmarks/search_queries.csv (written before the ranking was tuned).

    python benchmarks/search_quality.py [--release LABEL] [--show-misses]
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path

import hcpcs

QUERIES = Path(__file__).with_name("search_queries.csv")
WORD = re.compile(r"[a-z0-9]+")


def read_queries(path: Path = QUERIES) -> list[tuple[str, list[str], str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return [(row["query"], row["expected"].split(), row["kind"]) for row in csv.DictReader(lines)]


def is_expected(code: str, expected: list[str]) -> bool:
    return any(code.startswith(e[:-1]) if e.endswith("*") else code == e for e in expected)


def first_rank(codes: list[str], expected: list[str]) -> int | None:
    return next((rank for rank, code in enumerate(codes, start=1) if is_expected(code, expected)), None)


class PrefixAndBaseline:
    """NLM Clinical Tables semantics: all query words prefix-match some word; results in code order."""

    def __init__(self, store: hcpcs.Store, release: str) -> None:
        self.documents = []
        for record in store.records(release):
            if record.termination_date and record.termination_date < f"{release}-01":
                continue
            text = f"{record.code} {record.short_description or ''} {record.long_description or ''}".lower()
            self.documents.append((record.code, set(WORD.findall(text))))
        self.documents.sort()

    def search(self, query: str, limit: int) -> list[str]:
        words = WORD.findall(query.lower())
        if not words:
            return []
        hits = [
            code for code, vocabulary in self.documents if all(any(v.startswith(w) for v in vocabulary) for w in words)
        ]
        return hits[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--queries", type=Path, default=QUERIES, help="query file (default: search_queries.csv)")
    arguments = parser.parse_args()
    queries = read_queries(arguments.queries)
    with hcpcs.open() as store:
        release = store.resolve_release(arguments.release)
        baseline = PrefixAndBaseline(store, release)
        totals: dict[str, dict[str, list[float]]] = {"hcpcs": defaultdict(list), "baseline": defaultdict(list)}
        misses = []
        for query, expected, kind in queries:
            ours = [hit.code for hit in store.search(query, limit=10, release=release).results]
            theirs = baseline.search(query, 10)
            for name, codes in (("hcpcs", ours), ("baseline", theirs)):
                rank = first_rank(codes, expected)
                for bucket in (kind, "all"):
                    totals[name][bucket].append(rank or 0)
            if (first_rank(ours, expected) or 99) > 5:
                misses.append((query, expected, ours[:5]))
    kinds = sorted({kind for _, _, kind in queries}) + ["all"]
    print(f"release {release}, {len(queries)} queries")
    columns = f"{'hit@1':>6} {'hit@5':>6} {'MRR':>5}"
    print(f"{'kind':14} {'n':>3}  hcpcs {columns}    baseline {columns}")
    for kind in kinds:
        row = [f"{kind:14} {len(totals['hcpcs'][kind]):3d} "]
        for name, width in (("hcpcs", 12), ("baseline", 15)):
            ranks = totals[name][kind]
            hit1 = sum(1 for r in ranks if r == 1) / len(ranks)
            hit5 = sum(1 for r in ranks if 1 <= r <= 5) / len(ranks)
            mrr = sum(1 / r for r in ranks if r) / len(ranks)
            row.append(f" {hit1:{width}.0%} {hit5:6.0%} {mrr:5.2f}  ")
        print("".join(row))
    if arguments.show_misses:
        for query, expected, got in misses:
            print(f"miss: {query!r} expected {' '.join(expected)} got {' '.join(got)}")


if __name__ == "__main__":
    main()
