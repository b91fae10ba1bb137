"""Part B drug answers: NDC and price lookups per second in process and over HTTP, and `validate`
with an `ndc` (and `units`) column at 1M lines against the same lines without them.

Baselines, measured in the same run:
- in process: the bare SQLite query each answer makes (the storage floor; ours adds parsing the
  NDC or code, choosing the quarter, building the answer);
- over HTTP: a bare ASGI app on the same uvicorn settings returning a fixed body (the server
  stack's ceiling), as in server_load.py;
- validate: the same lines without the `ndc` and `units` columns (only the price join runs).
And the first command (the prebuilt default store holds the drug quarters) beside building the
drug quarters from their bundled files.

    python benchmarks/drugs.py [--seconds 10] [--lines 1000000] [--repeat 2] [--skip-http] [--skip-validate]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import hcpcs

sys.path.insert(0, str(Path(__file__).parent))
from server_load import BARE_APP, started, wrk  # noqa: E402
from validate import OURS, run  # noqa: E402


def per_second(function, items: list, seconds: float = 3.0) -> float:
    """How many calls of `function(item)` per second, cycling through the items for `seconds`."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for item in items[:2000]:
            function(item)
        done += min(len(items), 2000)
        items = items[2000:] + items[:2000]
    return done / (time.perf_counter() - started)


def in_process(store) -> None:
    quarter = store.drug_quarters()[-1].quarter
    connection = store.connection
    ndcs = [n for (n,) in connection.execute("SELECT DISTINCT ndc FROM drug_crosswalk WHERE quarter = ? AND ndc "
                                             "IS NOT NULL", (quarter,))]  # fmt: skip
    codes = [c for (c,) in connection.execute("SELECT code FROM drug_payment_limits WHERE quarter = ?", (quarter,))]
    typed = [n.replace("-", "") if i % 2 else n for i, n in enumerate(ndcs)]  # half typed without dashes
    ndc_sql = "SELECT * FROM drug_crosswalk INDEXED BY drug_crosswalk_by_ndc WHERE ndc = ? AND quarter = ?"
    price_sql = "SELECT * FROM drug_payment_limits WHERE quarter = ? AND code = ?"
    rows = [
        ("NDC lookups", per_second(lambda n: store.ndc(n, quarter=quarter).to_dict(), typed),
         per_second(lambda n: connection.execute(ndc_sql, (n, quarter)).fetchall(), ndcs)),
        ("price lookups", per_second(lambda c: store.price(c, quarter=quarter).to_dict(), codes),
         per_second(lambda c: connection.execute(price_sql, (quarter, c)).fetchone(), codes)),
    ]  # fmt: skip
    print(f"in process ({len(ndcs)} NDCs, {len(codes)} codes of quarter {quarter}):")
    for name, ours, baseline in rows:
        print(f"  {name:15} {ours:10,.0f}/s   bare SQLite query {baseline:10,.0f}/s   ({ours / baseline:.0%} of it)")


def over_http(store, seconds: int, connections: int, workers: int) -> None:
    quarter = store.drug_quarters()[-1].quarter
    ndcs = [n for (n,) in store.connection.execute("SELECT DISTINCT ndc FROM drug_crosswalk WHERE quarter = ? AND "
                                                   "ndc IS NOT NULL", (quarter,))]  # fmt: skip
    codes = [
        c for (c,) in store.connection.execute("SELECT code FROM drug_payment_limits WHERE quarter = ?", (quarter,))
    ]
    serve = [sys.executable, "-m", "hcpcs", "--db", str(store.path), "serve", "--workers", str(workers)]
    with started(serve) as url:
        results = {
            "NDC lookups": wrk(url, [f"/api/v1/ndc/{n}?quarter={quarter}" for n in ndcs], seconds, connections),
            "price lookups": wrk(url, [f"/api/v1/codes/{c}/price?quarter={quarter}" for c in codes], seconds,
                                 connections),
        }  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "bare_app.py").write_text(BARE_APP)
        bare = [sys.executable, "-m", "uvicorn", "bare_app:app", "--workers", str(workers), "--log-level", "warning",
                "--app-dir", scratch]  # fmt: skip
        with started(bare) as bare_url:
            results["bare ASGI baseline"] = wrk(bare_url, ["/"], seconds, connections)
    print(f"over HTTP ({workers} workers, {connections} connections, {seconds} s each, wrk -t2):")
    for name, result in results.items():
        print(f"  {name:20} {result['rate']:8.0f} req/s   p50 {result['p50']:7.2f} ms   p99 {result['p99']:7.2f} ms"
              f"   non-2xx {result['errors']}")  # fmt: skip
    base = results["bare ASGI baseline"]["rate"]
    print(f"  NDC lookups reach {results['NDC lookups']['rate'] / base:.0%}, price lookups "
          f"{results['price lookups']['rate'] / base:.0%} of the bare server's rate")  # fmt: skip


def claim_lines(store, path: Path, count: int) -> None:
    """Lines of drug codes with the NDCs the crosswalk lists for them (a share with another code's
    NDC or an unknown one), and other codes without an NDC, on dates across the stored quarters."""
    import numpy as np
    import polars as pl

    pairs = store.connection.execute(
        "SELECT code, ndc FROM drug_crosswalk WHERE ndc IS NOT NULL AND quarter = "
        "(SELECT MAX(quarter) FROM drug_crosswalk)"
    ).fetchall()
    others = [c for c in store.codes() if len(c) == 5][:3000]
    random = np.random.default_rng(11)
    pick = random.integers(0, len(pairs), count)
    drug = random.random(count) < 0.5
    code = np.where(
        drug, np.array([p[0] for p in pairs])[pick], np.array(others)[random.integers(0, len(others), count)]
    )
    ndc = np.where(drug, np.array([p[1] for p in pairs])[pick], "")
    ndc = np.where(drug & (random.random(count) < 0.05), "99999-9999-99", ndc)  # unknown NDCs
    ndc = np.where(drug & (random.random(count) < 0.3), np.char.replace(ndc.astype(str), "-", ""), ndc)  # 11 digits
    days = random.integers(0, 820, count)
    frame = pl.DataFrame({
        "claim_id": (np.arange(count) // 3).astype(str), "line": (np.arange(count) % 3 + 1).astype(str),
        "code": code, "modifiers": np.full(count, ""), "date_of_service": days, "ndc": ndc,
        "units": random.integers(1, 20, count).astype(str),
    })  # fmt: skip
    day = pl.date(2024, 1, 1) + pl.duration(days=pl.col("date_of_service"))
    frame = frame.with_columns(day.dt.strftime("%Y-%m-%d").alias("date_of_service"))
    frame.write_csv(path)
    frame.drop("ndc", "units").write_csv(path.with_name("without.csv"))


def _cpu(run_once) -> tuple[tuple[float, float, float], float]:
    """A run's (seconds, peak RSS, peak anon) and the CPU seconds its process used (user + system:
    steadier than wall time on a shared machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run_once()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def validate(store, count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "with.csv"
        claim_lines(store, source, count)
        runs = {"without ndc, units": [], "with ndc, units": []}
        run(OURS, source, Path(scratch) / "out.parquet")  # warm-up: the claim code table is cached once
        for _ in range(repeat):  # alternated, so both see the same machine
            for name, path in (("without ndc, units", source.with_name("without.csv")), ("with ndc, units", source)):
                runs[name].append(_cpu(lambda path=path: run(OURS, path, Path(scratch) / "out.parquet")))
    print(f"validate, {count:,} CSV lines, best of {repeat} (fresh process each):")
    best = {}
    for name, results in runs.items():
        (seconds, rss, anon), _ = min(results, key=lambda item: item[0][0])
        cpu = min(c for _, c in results)
        best[name] = (seconds, cpu, anon)
        print(
            f"  {name:20} {seconds:6.1f} s wall {count / seconds:10,.0f} lines/s  {cpu:6.1f} s CPU"
            f"  peak RSS {rss:4.0f} MB  anon {anon:4.0f} MB"
        )
    (wall0, cpu0, anon0), (wall1, cpu1, anon1) = best.values()
    print(
        f"  the ndc and units columns cost {wall1 / wall0 - 1:+.0%} wall, {cpu1 / cpu0 - 1:+.0%} CPU, "
        f"{anon1 - anon0:+.0f} MB anon"
    )


def first_command() -> None:
    """The first command in a fresh data directory, and what building the drug quarters from their
    bundled files would cost instead (the prebuilt store holds them already)."""
    script = ("import time, sys\nfrom hcpcs.store import Store\nfrom hcpcs.drugs.bundled import load_bundled\n"
              "started = time.perf_counter()\nwith Store(sys.argv[1], write=True) as store:\n"
              "    load_bundled(store.drugs)\nprint(time.perf_counter() - started)")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "XDG_DATA_HOME": scratch, "HCPCS_DB": ""}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "hcpcs", "releases", "--format", "json"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        whole = time.perf_counter() - started
        out = subprocess.run([sys.executable, "-c", script, str(Path(scratch) / "drugs.sqlite")], check=True,
                             capture_output=True, text=True)  # fmt: skip
        drugs = float(out.stdout)
    print(
        f"first command (installs the default store, drug quarters included): {whole:.2f} s; building the 7 "
        f"bundled drug quarters from their files instead takes {drugs:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="validate runs of each kind")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-validate", action="store_true")
    arguments = parser.parse_args()
    first_command()
    with hcpcs.open() as store:
        in_process(store)
        if not arguments.skip_http:
            over_http(store, arguments.seconds, arguments.connections, arguments.workers)
        if not arguments.skip_validate:
            validate(store, arguments.lines, arguments.repeat)


if __name__ == "__main__":
    main()
