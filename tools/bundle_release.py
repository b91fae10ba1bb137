"""Bundle an official CMS release into the package, lean, and record it in releases/MANIFEST.json.

A CMS release zip carries the records twice (the fixed-width text file and a workbook of the same
codes). The bundle keeps every member byte for byte except the workbook, which the text file
makes redundant (the text file is the authoritative layout; the workbook leaves fields empty
that the text file has). What was left out, and every place the two disagree, goes into the
manifest, so nothing is lost. A file that is not a zip (a quarterly workbook alone) is copied.

    python tools/bundle_release.py PATH --release YYYY-MM [--source TEXT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

from hcpcs.ingest.release import find_releases, read_release

RELEASES = Path(__file__).resolve().parent.parent / "src" / "hcpcs" / "releases"


def _entry(path: Path, relative: str) -> dict:
    data = path.read_bytes()
    return {"file": relative, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _lean_zip(source: Path, target: Path, leave_out: set[str]) -> None:
    """Copy a zip without some members; the members kept are byte for byte CMS's, dates included."""
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for info in original.infolist():
            if info.filename in leave_out:
                continue
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.external_attr = info.external_attr
            out.writestr(copy, original.read(info), compresslevel=9)


def bundle(path: Path, label: str, source: str) -> dict:
    """Write the release's bundle under releases/LABEL/ and return its manifest entry."""
    folder = RELEASES / label
    folder.mkdir(parents=True, exist_ok=True)
    entry: dict = {"release": label, "source": source, "files": []}
    if path.suffix.lower() != ".zip":
        shutil.copyfile(path, folder / path.name)
        entry["files"].append(_entry(folder / path.name, f"{label}/{path.name}"))
        return entry
    group = find_releases([path], label).releases[0]
    data = read_release(group)
    workbook = group.parts.get("workbook")
    left_out = []
    if workbook is not None and "text" in group.parts:
        member = workbook.name.split("/", 1)[1]
        disagreements = [line.split(": ", 1)[1] for line in data.warnings if line.startswith(workbook.name)]
        left_out.append(
            {
                "member": member,
                "bytes": len(workbook.data),
                "sha256": workbook.found.sha256,
                "why": f"the same {len(data.records):,} records as the text file, which is the authoritative layout",
                "disagreements": disagreements,
            }
        )
    lean = folder / f"{path.stem}-lean.zip"
    _lean_zip(path, lean, {item["member"] for item in left_out})
    entry["files"].append(_entry(lean, f"{label}/{lean.name}"))
    entry["derived_from"] = {**_entry(path, path.name), "left_out": left_out}
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--release", required=True)
    parser.add_argument("--source", default="CMS HCPCS Quarterly Update / Alpha-Numeric HCPCS File page")
    arguments = parser.parse_args()
    manifest_path = RELEASES / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = bundle(arguments.path, arguments.release, arguments.source)
    releases = [r for r in manifest["releases"] if r["release"] != arguments.release] + [entry]
    manifest["releases"] = sorted(releases, key=lambda r: r["release"])
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{arguments.release}: {', '.join(f['file'] for f in entry['files'])}")


if __name__ == "__main__":
    main()
