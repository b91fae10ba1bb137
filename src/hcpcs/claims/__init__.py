"""Claim-line validation and enrichment: the rules, the code table they read, the engines."""

from __future__ import annotations

from typing import Any


def validate(frame: Any, store=None, release: str | None = None):
    """Validate claim lines in a polars or pandas data frame; returns the same kind of frame."""
    from hcpcs.claims.polars_engine import validate_frame

    return validate_frame(frame, store, release)
