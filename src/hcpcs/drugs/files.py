"""A drug file found in what a user points `hcpcs load` at: HCPCS ingest's discovery
(hcpcs.ingest.sources) finds every file, tells drug files by content, and hands them here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A file found in what the user gave: its name as shown and stored, its bytes, its kind."""

    name: str  # 'zip name/member name' inside a zip, 'folder/file' inside a folder
    data: bytes
    kind: str | None  # a drug kind, or None
