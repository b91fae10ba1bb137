"""Benchmark: CLI start-up, `hcpcs releases` on a built store, beside a bare `python -c pass`.

python benchmarks/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    repeat = parser.parse_args().repeat
    ours_command = [sys.executable, "-m", "hcpcs", "releases", "--format", "json"]
    subprocess.run(ours_command, check=True, capture_output=True)  # build the default store first
    bare = statistics.median(seconds([sys.executable, "-c", "pass"]) for _ in range(repeat))
    ours = statistics.median(seconds(ours_command) for _ in range(repeat))
    print(f"python -c pass:          {bare:.3f} s")
    print(f"hcpcs releases --format json: {ours:.3f} s")
    print(f"hcpcs cost over a bare interpreter: {ours - bare:.3f} s ({ours / bare:.1f}x)")


if __name__ == "__main__":
    main()
