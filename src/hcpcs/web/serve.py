"""The ASGI application uvicorn imports in each worker: the store named by HCPCS_SERVE_DB."""

from __future__ import annotations

import os

from hcpcs.web.app import create_app

app = create_app(os.environ["HCPCS_SERVE_DB"])
