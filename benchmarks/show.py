"""Benchmark: building code pages (store.get) beside fetching the bare rows with one SQL query each;
rendering them as the server's HTML and JSON pages; and, with --site, writing a release's static site
beside the bare cost of writing the same files.

The baseline is the least any lookup does: one indexed SELECT of the canonical row.
A page adds every decoded field, status, section, NOC, note text, references and its last update.
The site's baseline writes the site's bytes again as files (the disk's share of the build).

    python benchmarks/show.py [--codes N] [--site]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import hcpcs


def per_code(work, items) -> float:
    """Seconds per item of `work(item)` over every item."""
    started = time.perf_counter()
    for item in items:
        work(item)
    return (time.perf_counter() - started) / len(items)


def pages(store, count: int) -> None:
    from hcpcs.render.html import environment
    from hcpcs.render.pages import ServerUrls, code_page_context

    codes = store.codes()[:count]
    release = store.latest_release()
    sql = "SELECT * FROM codes WHERE release = ? AND code = ?"
    bare = per_code(lambda code: store.connection.execute(sql, (release, code)).fetchone(), codes)
    built = per_code(store.get, codes)
    template, urls = environment().get_template("code_page.html"), ServerUrls()
    built_pages = [store.get(code) for code in codes]
    html = per_code(lambda page: template.render(version="", **code_page_context(store, page, urls)), built_pages)
    as_json = per_code(lambda page: json.dumps(page.to_dict(), ensure_ascii=False), built_pages)
    print(f"codes: {len(codes)} of release {release}")
    print(f"bare row (SQL):      {bare * 1e6:8.1f} us per code")
    print(f"code page (get):     {built * 1e6:8.1f} us per code")
    print(f"page / bare row:     {built / bare:8.1f}x")
    print(f"HTML page (render):  {html * 1e6:8.1f} us per code, after get")
    print(f"JSON page (dumps):   {as_json * 1e6:8.1f} us per code, after get")


def folder_bytes(folder: Path) -> tuple[int, int]:
    """Bytes of the files, and bytes they take on disk (whole blocks)."""
    sizes = [os.stat(os.path.join(top, name)) for top, _, names in os.walk(folder) for name in names]
    return sum(s.st_size for s in sizes), sum(s.st_blocks * 512 for s in sizes)


def site(store) -> None:
    from hcpcs.export.site import write_site

    release = store.latest_release()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch, "site")
        result = write_site(store, release, out)
        files = [Path(top, name) for top, _, names in os.walk(out) for name in names]
        contents = [(path.relative_to(out), path.read_bytes()) for path in files]
        size, on_disk = folder_bytes(out)
        again = Path(scratch, "again")
        started = time.perf_counter()
        for relative, data in contents:
            target = again / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        floor = time.perf_counter() - started
    print(f"site of release {release}: {result.pages} pages, {len(files)} files")
    print(f"size:                {size / 2**20:8.1f} MB of files, {on_disk / 2**20:.1f} MB on disk")
    print(f"site build:          {result.seconds:8.1f} s")
    print(f"same files written:  {floor:8.1f} s (baseline: the disk's share)")
    print(f"build / writing:     {result.seconds / floor:8.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=2000, help="how many codes of the latest release")
    parser.add_argument("--site", action="store_true", help="also time writing the latest release's static site")
    arguments = parser.parse_args()
    with hcpcs.open() as store:
        pages(store, arguments.codes)
        if arguments.site:
            site(store)


if __name__ == "__main__":
    main()
