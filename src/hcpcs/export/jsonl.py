"""JSON Lines export: one canonical record per line."""

from __future__ import annotations

import json
from typing import TextIO

from hcpcs.store import Store


def write_jsonl(store: Store, release: str | None, out: TextIO) -> int:
    """Write every record of a release (default: the latest) as JSON lines; return the count."""
    count = 0
    for record in store.records(release):
        out.write(json.dumps(record.to_dict(), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
