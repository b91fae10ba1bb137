"""The drug quarters shipped in the package (src/hcpcs/releases/drugs/): each CMS file as a Level
II extract, so nothing shipped holds a CPT descriptor.

An extract is CMS's section 508 CSV with its Level I (CPT) rows blanked (each becomes as many
empty lines as it took, so every line keeps its number) and the empty columns CMS pads rows with
cut off, in UTF-8, gzipped. `hcpcs load` reads it like CMS's file; the bundled loader stores it
under the CMS file's own name and sha256 (and Level I count), which MANIFEST.json records, so
loading CMS's original later finds it already stored.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from hcpcs.drugs.storage import DrugTables

MANIFEST = "MANIFEST.json"


def manifest() -> dict[str, Any]:
    """The bundled drug quarters' manifest: per file, the extract and the CMS file it came from."""
    return json.loads((files("hcpcs") / "releases" / "drugs" / MANIFEST).read_text(encoding="utf-8"))


def extract_level_ii(name: str, data: bytes) -> bytes:
    """CMS's drug CSV without Level I rows (blanked, lines kept) or padding columns, as UTF-8."""
    from hcpcs.drugs.kinds import decode_text, header_kind
    from hcpcs.drugs.read import LEVEL_I

    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    width, line = None, 1
    for row in reader:
        lines = reader.line_num - line + 1
        line = reader.line_num + 1
        if width is None and header_kind(row):
            width = max(i for i, cell in enumerate(row) if cell.strip()) + 1
        if width is not None and row and re.fullmatch(LEVEL_I, row[0].strip().upper()) and not header_kind(row):
            out.write("\r\n" * lines)
            continue
        while row and not row[-1].strip() and (width is None or len(row) > width):
            row = row[:-1]
        writer.writerow(row)
    if width is None:
        raise ValueError(f"{name}: no drug header row")
    return out.getvalue().encode("utf-8")


def write_bundle(sources: list[Path], out: Path) -> dict[str, Any]:
    """Write the extract of each CMS drug CSV into `out`, with the manifest (for maintainers)."""
    from hcpcs.drugs.kinds import drug_file_kind
    from hcpcs.drugs.read import read_drug_file

    entries = []
    for source in sorted(sources):
        data = source.read_bytes()
        kind = drug_file_kind(source.name, data)
        if kind is None:
            continue
        read = read_drug_file(kind, source.name, data)
        extract = gzip.compress(extract_level_ii(source.name, data), compresslevel=9, mtime=0)
        file = f"{read.quarter}-{kind.replace('_', '-')}.csv.gz"
        (out / file).write_bytes(extract)
        entries.append({
            "quarter": read.quarter, "kind": kind, "file": file, "bytes": len(extract),
            "sha256": hashlib.sha256(extract).hexdigest(), "level_i_rows_left_out": read.level_i_rows,
            "source": {"file": source.name, "bytes": len(data), "sha256": read.sha256},
        })  # fmt: skip
    data = {
        "source": "CMS's ASP payment limit files and NDC-HCPCS crosswalks (section 508 CSV), as Level II extracts "
        "(see README.md here); 'source' is the CMS file each was made from.",
        "files": sorted(entries, key=lambda e: (e["quarter"], e["kind"])),
    }
    (out / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def missing_bundled(tables: DrugTables) -> list[dict[str, Any]]:
    """The bundled files whose quarter and kind the store lacks (a kind loaded from other files
    by the user is theirs: it is not missing)."""
    stored = tables.stored_hashes()
    return [entry for entry in manifest()["files"] if (entry["quarter"], entry["kind"]) not in stored]


def read_bundled(entry: dict[str, Any], root: Path):
    """One bundled extract read as its CMS file (its name, sha256 and Level I count)."""
    from hcpcs.drugs.read import read_drug_file
    from hcpcs.errors import StoreError

    path = root / entry["file"]
    packed = path.read_bytes()
    digest = hashlib.sha256(packed).hexdigest()
    if digest != entry["sha256"]:
        raise StoreError(f"{path}: bundled file is damaged (sha256 {digest} != manifest)")
    source = entry["source"]
    data = read_drug_file(entry["kind"], source["file"], gzip.decompress(packed))
    data.sha256, data.level_i_rows = source["sha256"], entry["level_i_rows_left_out"]
    return data


def load_bundled(tables: DrugTables, entries: list[dict[str, Any]] | None = None) -> list:
    """Store bundled drug files (default: those the store lacks) in one transaction."""
    from hcpcs.drugs.load import PlannedFile, store

    entries = missing_bundled(tables) if entries is None else entries
    if not entries:
        return []
    with as_file(files("hcpcs") / "releases" / "drugs") as root:
        planned = []
        for entry in entries:
            data = read_bundled(entry, Path(root))
            read_from = f"hcpcs package: releases/drugs/{entry['file']}"
            planned.append(PlannedFile(data, [(data.name, data.sha256)], read_from, 0.0))
    return store(tables, planned)
