"""`hcpcs serve`: the web server."""

from __future__ import annotations

from typing import Annotated

import typer

from hcpcs.cli.app import (
    _open_store,
    app,
)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (each reads the store).")] = 1,
) -> None:
    """Serve the REST API, NLM-compatible search, FHIR terminology and web pages over HTTP."""
    import os

    import uvicorn

    with _open_store(ctx) as store:  # builds the default store if needed; checks the file
        path = store.path
    os.environ["HCPCS_SERVE_DB"] = str(path.resolve())
    typer.echo(f"serving {path} on http://{host}:{port}/ (API docs at /docs)", err=True)
    uvicorn.run("hcpcs.web.serve:app", host=host, port=port, workers=workers, log_level="warning")
