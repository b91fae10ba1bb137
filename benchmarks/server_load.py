"""Load benchmark over loopback with wrk: code lookups per second and search latency p99.

Lookups cycle through all 7,000 codes of the latest release, more than the per-worker page
cache (2,048 pages) holds, so most pages are built for the request.

Starts `hcpcs serve --workers N` on the default store, drives it with wrk (Debian's `wrk`
package) cycling through real codes and real queries, and, as the baseline in the same run,
a bare ASGI app on the same uvicorn settings that returns a fixed JSON body (the ceiling of
the server stack on this machine).

    python benchmarks/server_load.py [--seconds 10] [--connections 16] [--workers 2]
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
from pathlib import Path

import httpx

import hcpcs

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], url: str, env: dict | None = None) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server did not start: {' '.join(command)}")


def wrk(url: str, paths: list[str], seconds: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % ", ".join(json.dumps(p) for p in paths))
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)

    def millis(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rate": rate,
        "p50": millis("50"),
        "p99": millis("99"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with hcpcs.open() as store:
        codes = store.codes()
        path = store.path
    lines = Path(__file__).with_name("search_queries.csv").read_text().splitlines()
    queries = [row["query"] for row in csv.DictReader(line for line in lines if not line.startswith("#"))]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start(
        [
            sys.executable,
            "-m",
            "hcpcs",
            "--db",
            str(path),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(arguments.workers),
        ],
        f"{url}/api/v1/releases",
    )
    try:
        # Every code of the release, more than the server's page cache holds: mostly built, not cached.
        lookups = wrk(url, [f"/api/v1/codes/{c}" for c in codes], arguments.seconds, arguments.connections)
        searches = wrk(url, [f"/api/v1/search?q={httpx.URL('', params={'q': q}).query.decode()[2:]}" for q in queries],
                       arguments.seconds, arguments.connections)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "bare_app.py").write_text(BARE_APP)
        port = free_port()
        bare_url = f"http://127.0.0.1:{port}"
        bare = start(
            [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(port), "--workers", str(arguments.workers),
             "--log-level", "warning", "--app-dir", scratch],
            bare_url,
        )  # fmt: skip
        try:
            baseline = wrk(bare_url, ["/"], arguments.seconds, arguments.connections)
        finally:
            bare.terminate()
            bare.wait(timeout=30)
    print(f"{arguments.workers} workers, {arguments.connections} connections, {arguments.seconds} s each, wrk -t2")
    for name, result in (("code lookups", lookups), ("searches", searches), ("bare ASGI baseline", baseline)):
        print(
            f"{name:20} {result['rate']:8.0f} req/s   p50 {result['p50']:7.2f} ms   p99 {result['p99']:7.2f} ms"
            f"   non-2xx {result['errors']} {result['socket_errors']}"
        )
    print(f"code lookups reach {lookups['rate'] / baseline['rate']:.0%} of the bare server's rate")


if __name__ == "__main__":
    main()
