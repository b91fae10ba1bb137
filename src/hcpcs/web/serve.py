"""The ASGI application uvicorn imports in each worker: the store named by HCPCS_SERVE_DB,
CORS for the origins in HCPCS_SERVE_CORS (comma-separated; '*' or 'none')."""

from __future__ import annotations

import os

from hcpcs.web.app import create_app
from hcpcs.web.http import parse_cors

app = create_app(os.environ["HCPCS_SERVE_DB"], cors=parse_cors(os.environ.get("HCPCS_SERVE_CORS", "*").split(",")))
