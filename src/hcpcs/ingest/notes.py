"""Read CMS's processing notes file (proc_notes_YYYY.txt): note number to text."""

from __future__ import annotations

import re

from hcpcs.errors import InputError
from hcpcs.ingest.normalize import fold

# A note starts with its four-digit number and two dashes: "0088--THE TEXT".
_NOTE_START = re.compile(r"^\s*(\d{4})--(.*)$")


def read_notes(data: bytes, file: str) -> dict[str, str]:
    """Map each processing note number ('0088') to its text, lines joined."""
    if not data.strip():
        raise InputError(file, None, "the file is empty")
    notes: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in data.decode("latin-1").splitlines():
        # The file draws a right border of '*' after column 90.
        text = line.rstrip().rstrip("*").rstrip()
        start = _NOTE_START.match(text)
        if start:
            current = notes.setdefault(start.group(1), [])
            current.append(start.group(2))
        elif current is not None and text.strip():
            current.append(text)
        elif not text.strip():
            current = None
    if not notes:
        raise InputError(file, None, "no processing notes found (expected lines like '0088--TEXT')")
    return {number: fold(" ".join(parts)) for number, parts in notes.items()}
