"""Server load over loopback with wrk: code lookups per second, search latency at 32 and 64 connections.

Starts `hcpcs serve --workers N` on the default store and drives it with wrk (Debian's `wrk`
package) cycling through real paths: every code of the latest release (a warm-up pass of the
same list first, not counted), and the 82 search-quality queries at 32 and at 64 connections.
Beside it, in the same run and on the same store and settings, the server as it was at git
revision --against (default b19dc0b, before issue 14: SQLite on the event loop, one connection
per thread) and a bare ASGI app returning a fixed body (the ceiling of the stack on this machine).

    python benchmarks/server_load.py [--seconds 10] [--workers 2] [--against REV|none]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

import hcpcs

ROOT = Path(__file__).resolve().parent.parent
BARE_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"code": "S9329"}'})
"""
LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""
#: wrk's own limit: an answer slower than this is counted as a timeout.
TIMEOUT = "2s"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def started(command: list[str], env: dict[str, str] | None = None):
    """A server process and its URL once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})  # fmt: skip
    try:
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit(f"server exited ({process.returncode}) before answering: {' '.join(command)}")
            try:
                httpx.get(url, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"server did not start: {' '.join(command)}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def wrk(url: str, paths: list[str], seconds: int, connections: int) -> dict[str, float]:
    """Requests per second, p50 and p99 in ms, non-2xx answers and timeouts of one wrk run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % ", ".join(json.dumps(p) for p in paths))
    try:
        output = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", TIMEOUT, "--latency", "-s", script.name,
             url], capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)

    def millis(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rate": rate,
        "p50": millis("50"),
        "p99": millis("99"),
        "errors": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def measure(url: str, codes: list[str], queries: list[str], seconds: int) -> dict[str, dict[str, float]]:
    """The three runs on one server: lookups (after an uncounted warm-up pass), searches at 32 and 64."""
    lookups = [f"/api/v1/codes/{code}" for code in codes]
    searches = [f"/api/v1/search?{httpx.QueryParams({'q': q})}" for q in queries]
    wrk(url, lookups, seconds, 32)  # warm-up: fills whatever cache the server keeps
    return {
        "lookups, 32 connections": wrk(url, lookups, seconds, 32),
        "searches, 32 connections": wrk(url, searches, seconds, 32),
        "searches, 64 connections": wrk(url, searches, seconds, 64),
    }


def source_at(revision: str, into: Path) -> Path:
    """The package source of a git revision, unpacked (git archive)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], capture_output=True)
    if archive.returncode != 0:
        reason = archive.stderr.decode().strip()
        raise SystemExit(f"cannot read revision {revision}: {reason} (--against none skips it)")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def serve_command(store: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "hcpcs", "--db", str(store), "serve", "--workers", str(workers)]


def comparison_stores(source: Path, scratch: Path) -> tuple[Path, Path]:
    """A store the baseline revision's code writes from the releases it bundles (an older
    revision cannot read a newer schema), and a copy for this server, which upgrades it when
    opened: both servers answer from the same data."""
    theirs, ours = scratch / "baseline.sqlite", scratch / "ours.sqlite"
    releases = sorted(str(folder) for folder in (source / "hcpcs" / "releases").iterdir() if folder.is_dir())
    loaded = subprocess.run([sys.executable, "-m", "hcpcs", "--db", str(theirs), "load", *releases],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(source)})  # fmt: skip
    if loaded.returncode != 0:
        raise SystemExit(f"the baseline revision could not build its store: {loaded.stderr.strip()[-300:]}")
    shutil.copyfile(theirs, ours)
    return theirs, ours


def show(name: str, result: dict[str, float]) -> str:
    return (f"{name:11} {result['rate']:8.0f} req/s  p50 {result['p50']:8.2f} ms  p99 {result['p99']:8.2f} ms"
            f"  non-2xx {result['errors']}  timeouts {result['timeouts']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--against", default="b19dc0b", help="git revision of the baseline server ('none': skip)")
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    lines = Path(__file__).with_name("search_queries.csv").read_text().splitlines()
    queries = [row["query"] for row in csv.DictReader(line for line in lines if not line.startswith("#"))]
    before = None
    with tempfile.TemporaryDirectory() as scratch:
        if arguments.against == "none":
            with hcpcs.open() as store:
                path, described = store.path, "the default store"
        else:
            source = source_at(arguments.against, Path(scratch))
            theirs, path = comparison_stores(source, Path(scratch))
            described = f"the releases {arguments.against} bundles, loaded by its own code (a copy for this server)"
        with hcpcs.Store(path) as store:
            codes = store.codes()
        with started(serve_command(path, arguments.workers)) as url:
            ours = measure(url, codes, queries, arguments.seconds)
        if arguments.against != "none":
            with started(serve_command(theirs, arguments.workers), env={"PYTHONPATH": str(source)}) as url:
                before = measure(url, codes, queries, arguments.seconds)
        Path(scratch, "bare_app.py").write_text(BARE_APP)
        bare_command = [sys.executable, "-m", "uvicorn", "bare_app:app", "--workers", str(arguments.workers),
                        "--log-level", "warning", "--app-dir", scratch]  # fmt: skip
        with started(bare_command) as url:
            bare = wrk(url, ["/"], arguments.seconds, 32)
    print(
        f"{arguments.workers} workers, {arguments.seconds} s per run, wrk -t2 --timeout {TIMEOUT}, loopback; store: "
        f"{described}; lookups cycle all {len(codes):,} codes of its latest release, searches the {len(queries)} "
        "quality queries"
    )
    for test, result in ours.items():
        print(f"\n{test}")
        print(show("this server", result))
        if before:
            print(show(arguments.against, before[test]))
    print(f"\nbare ASGI app, 32 connections\n{show('ceiling', bare)}")


if __name__ == "__main__":
    main()
