"""Every benchmark script runs, on a small size, so none rots: each prints our figure beside its
baseline's. (The figures themselves are measured by hand: docs/benchmarks.md.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

# script and small-size arguments -> what its output must show
RUNS = {
    "validate.py": (["--lines", "3000"], "3,000"),
    "history.py": (["--repeat", "1"], "baseline (one indexed query)"),
    "load.py": (["--repeat", "1", "--release", "2020-10"], "2020-10"),
    "search_quality.py": ([], "hit@5"),
    "search_speed.py": (["--repeat", "1", "--cli-runs", "1"], "plain FTS prefix-AND"),
    "show.py": (["--codes", "50"], "page / bare row"),
    "startup.py": (["--repeat", "1"], "hcpcs cost over a bare interpreter"),
    "export.py": (["--repeat", "1", "--formats", "jsonl", "csv", "parquet", "sqlite", "fhir"], "a CodeSystem built"),
    "drugs.py": (["--seconds", "1", "--lines", "3000", "--repeat", "1", "--skip-http"], "bare SQLite query"),
}


@pytest.fixture(scope="module")
def bench_store(full_store, tmp_path_factory) -> Path:
    """Every bundled release and drug quarter, as the default store holds them."""
    from drugs_support import store_with_drugs

    return store_with_drugs(tmp_path_factory.mktemp("bench"), full_store)


def test_every_benchmark_script_is_run_here():
    """A new script gets a small run here (server_load.py, which needs wrk, below)."""
    scripts = {path.name for path in BENCHMARKS.glob("*.py")} - {"server_load.py"}
    assert scripts == set(RUNS)


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (tools/install-test-deps installs it)")
def test_server_load_runs_beside_the_old_server(tmp_path):
    """One second per run: this server and the one of the baseline revision on the same data
    (the older code writes its own store), and the bare app."""
    root = BENCHMARKS.parent
    has_baseline = (
        bool(shutil.which("git"))
        and subprocess.run(
            ["git", "-C", str(root), "cat-file", "-e", "b19dc0b^{commit}"], capture_output=True
        ).returncode
        == 0
    )
    against = "b19dc0b" if has_baseline else "none"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, str(BENCHMARKS / "server_load.py"), "--seconds", "1", "--workers", "1",
                             "--against", against], capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    for run in ("lookups, 32 connections", "searches, 64 connections", "bare ASGI app"):
        assert run in result.stdout, result.stdout
    rows = [line for line in result.stdout.splitlines() if "req/s" in line]
    assert len(rows) == (7 if has_baseline else 4), result.stdout
    assert all("non-2xx 0" in row for row in rows), result.stdout


@pytest.mark.parametrize("script", sorted(RUNS))
def test_benchmark_runs_on_a_small_size(script, bench_store, tmp_path):
    arguments, shown = RUNS[script]
    env = {**os.environ, "HCPCS_DB": str(bench_store), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), *arguments], capture_output=True, text=True,
                            env=env, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert shown in result.stdout, result.stdout
    assert "x" in result.stdout or "%" in result.stdout  # a ratio, or rates, beside the baseline
