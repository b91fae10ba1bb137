"""`hcpcs serve`: the web server."""

from __future__ import annotations

import os
import socket
from typing import Annotated, Optional

import typer

from hcpcs.cli.app import _open_store, app
from hcpcs.errors import HcpcsError


class ListenError(HcpcsError):
    """The address to serve on cannot be listened on (in use, not ours, not an address)."""


def machine_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, as uvicorn would bind it; ListenError in one line if it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as error:
        sock.close()
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ListenError(f"cannot listen on {host}:{port}: {reason.lower()}") from None
    sock.set_inheritable(True)
    return sock


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        Optional[int],
        typer.Option(min=1, max=256, help="Worker processes, each reading the store (default: one per core)."),
    ] = None,
    cors: Annotated[
        Optional[list[str]],
        typer.Option(
            help="Origins the JSON APIs (/api, /fhir) answer from other sites: '*' (the default: every route is "
            "read-only and uses no cookies), an origin such as https://example.org (repeat for more), or 'none'."
        ),
    ] = None,
) -> None:
    """Serve the REST API, NLM-compatible search, FHIR terminology and web pages over HTTP."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from hcpcs.web.http import parse_cors

    origins = parse_cors(cors or ["*"])
    with _open_store(ctx) as store:  # builds the default store if needed; checks the file
        path = store.path
    sock = listen(host, port)  # before saying "serving": a busy port is one line and exit 2
    workers = workers or machine_cores()
    os.environ["HCPCS_SERVE_DB"] = str(path.resolve())
    os.environ["HCPCS_SERVE_CORS"] = ",".join(origins) or "none"
    config = uvicorn.Config("hcpcs.web.serve:app", workers=workers, log_level="warning", access_log=False)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"serving {path} on http://{shown}:{port}/ with {workers} worker{'s' if workers > 1 else ''} "
        "(API docs at /docs)",
        err=True,
    )
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
