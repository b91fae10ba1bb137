"""Claim files in and out: CSV, Parquet or JSON Lines, chosen by extension or --format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hcpcs.errors import InputError

if TYPE_CHECKING:
    import polars as pl

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def format_of(path: Path, given: str | None) -> str:
    """The format named, else the one the extension says; InputError if neither does."""
    if given:
        return given
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise InputError(
            str(path), None, "cannot tell the format from the extension: use .csv, .parquet, .jsonl or --format"
        ) from None


def read_lines(path: Path, file_format: str | None = None) -> pl.LazyFrame:
    """A claim file as a lazy frame of text columns; unreadable or empty files raise InputError."""
    import polars as pl

    if not path.is_file():
        raise InputError(str(path), None, "no such file")
    if path.stat().st_size == 0:
        raise InputError(path.name, None, "the file is empty")
    kind = format_of(path, file_format)
    try:
        if kind == "csv":
            frame = pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy")
        elif kind == "parquet":
            frame = pl.scan_parquet(path)
        else:
            frame = pl.scan_ndjson(path, infer_schema_length=None)
        frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        raise InputError(path.name, None, f"not a readable {kind} file ({str(error).splitlines()[0][:120]})") from None
    return frame


def write_lines(frame: pl.DataFrame, path: Path | None, file_format: str | None) -> None:
    """Write checked lines held in memory (the Spark engine's result on one machine)."""
    sink_lines(frame.lazy(), path, file_format)


def sink_lines(lines: pl.LazyFrame, path: Path | None, file_format: str | None) -> None:
    """Stream checked lines to a file (format by extension or --format), or to stdout (CSV or
    JSON Lines), batch by batch and in order."""
    import sys

    if path is None:
        kind = file_format or "csv"
        if kind == "parquet":
            raise InputError("--out", None, "parquet needs an --out file")
        target = sys.stdout.buffer
        sys.stdout.flush()
    else:
        kind, target = format_of(path, file_format), path
    sink = {"csv": lines.sink_csv, "parquet": lines.sink_parquet, "jsonl": lines.sink_ndjson}[kind]
    sink(target, engine="streaming")
    if path is None:
        target.flush()


def line_count(path: Path, file_format: str | None = None) -> int:
    """How many lines a claim file holds, for a progress bar (Parquet: from its metadata; text:
    its newlines, so a quoted field spanning lines counts more than once)."""
    import polars as pl

    kind = format_of(path, file_format)
    if kind == "parquet":
        return pl.scan_parquet(path).select(pl.len()).collect().item()
    newlines = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 24):
            newlines += block.count(b"\n")
    return max(newlines - (kind == "csv"), 0)
