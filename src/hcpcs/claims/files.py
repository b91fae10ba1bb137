"""Claim files in and out: CSV, Parquet or JSON Lines, chosen by extension or --format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hcpcs.errors import InputError

if TYPE_CHECKING:
    import polars as pl

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: Bytes of CSV parsed at a time: small enough that memory stays flat however large the file.
CSV_BLOCK = 1 << 22
#: Rows of Parquet read at a time, for the same reason.
PARQUET_BATCH = 200_000


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


def output_format(path: Path | None, given: str | None) -> str:
    """The format checked lines are written in: to a file as format_of says; to standard output
    CSV unless told JSON Lines (Parquet needs a file)."""
    if path is not None:
        return format_of(path, given)
    if given == "parquet":
        raise InputError("--out", None, "parquet needs an --out file")
    return given or "csv"


def read_lines(path: Path, file_format: str | None = None) -> pl.LazyFrame:
    """A claim file as a lazy frame (CSV columns as text; Parquet and JSON Lines keep their
    types), read in bounded pieces; unreadable or empty files raise InputError."""
    import polars as pl

    if not path.is_file():
        raise InputError(str(path), None, "no such file")
    if path.stat().st_size == 0:
        raise InputError(path.name, None, "the file is empty")
    kind = format_of(path, file_format)
    try:
        if kind == "csv":
            frame = scan_csv_blocks(path)
        elif kind == "parquet":
            frame = scan_parquet_batches(path)
        else:
            frame = pl.scan_ndjson(path, infer_schema_length=None)
        frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        raise InputError(path.name, None, f"not a readable {kind} file ({str(error).splitlines()[0][:120]})") from None
    return frame


def _record_end(piece: bytes) -> int:
    """Where the last whole record of a CSV piece ends: the last newline with an even number of
    quote characters before it (RFC 4180: one inside a quoted field has an odd number); -1 if none."""
    end = piece.rfind(b"\n")
    if b'"' in piece:
        quotes = piece.count(b'"')
        while end != -1 and (quotes - piece.count(b'"', end + 1)) % 2:
            end = piece.rfind(b"\n", 0, end)
    return end


def csv_blocks(path: Path, size: int = CSV_BLOCK) -> Iterator[bytes]:
    """The file in pieces of about `size` bytes, each ending at a record boundary (a record
    longer than `size` makes a longer piece). Read through a memory map whose pages are handed
    back once read, so neither the heap nor the resident set grows with the file."""
    import mmap

    if path.stat().st_size == 0:
        return
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as view:
        start, reach, released, length = 0, size, 0, len(view)
        while start < length:
            stop = min(start + reach, length)
            piece = view[start:stop]
            end = len(piece) - 1 if stop == length else _record_end(piece)
            if end == -1:
                reach *= 2  # no record ends in this piece: take a longer one
                continue
            yield piece[: end + 1] if end + 1 < len(piece) else piece
            start, reach = start + end + 1, size
            done = start - start % mmap.PAGESIZE
            if hasattr(view, "madvise") and done > released:
                view.madvise(mmap.MADV_DONTNEED, released, done - released)
                released = done


def _unreadable(path: Path, piece: bytes, line: int, width: int, error: Exception) -> InputError:
    """The first record of a piece polars could not read, by its file line: a record with a
    different number of fields than the header, else polars' own words."""
    import csv
    import io

    reader = csv.reader(io.StringIO(piece.decode("utf-8", "replace"), newline=""))
    start = 1
    for record in reader:
        if len(record) != width:
            return InputError(path.name, start + line - 1, f"{len(record)} fields where the header has {width}")
        start = reader.line_num + 1
    return InputError(path.name, line, f"cannot read the lines from here on ({str(error).splitlines()[0][:120]})")


def scan_csv_blocks(path: Path, block: int = CSV_BLOCK) -> pl.LazyFrame:
    """A CSV file as a lazy frame of text columns, parsed block by block as the query pulls.
    (polars' own scan_csv holds the whole file in memory; this keeps to a few blocks.)"""
    import polars as pl
    from polars.io.plugins import register_io_source

    with path.open("rb") as stream:
        header = stream.readline()
    names = pl.read_csv(header, infer_schema=False, encoding="utf8-lossy").columns
    schema = dict.fromkeys(names, pl.String)

    def source(with_columns, predicate, n_rows, batch_size) -> Iterator[pl.DataFrame]:
        wanted = list(with_columns) if with_columns is not None else names
        places = sorted(names.index(name) for name in wanted)  # only these columns are parsed
        left, line = n_rows, 1  # the file line each piece starts on
        for number, piece in enumerate(csv_blocks(path, block)):
            try:
                frame = pl.read_csv(
                    piece, has_header=number == 0, columns=places, infer_schema=False, encoding="utf8-lossy"
                )
            except pl.exceptions.PolarsError as error:
                raise _unreadable(path, piece, line, len(names), error) from None
            line += piece.count(b"\n")
            frame.columns = [names[place] for place in places]
            frame = frame.select(wanted)
            if predicate is not None:
                frame = frame.filter(predicate)
            if left is not None:
                frame, left = frame.head(left), left - min(left, frame.height)
            yield frame
            if left == 0:
                return

    return register_io_source(source, schema=schema)


def scan_parquet_batches(path: Path, batch: int = PARQUET_BATCH) -> pl.LazyFrame:
    """A Parquet file as a lazy frame read `batch` rows at a time as the query pulls (polars'
    own scan reads ahead of a slower query without bound)."""
    import polars as pl
    from polars.io.plugins import register_io_source

    scan = pl.scan_parquet(path)
    schema = scan.collect_schema()
    total = scan.select(pl.len()).collect().item()  # from the file's metadata

    def source(with_columns, predicate, n_rows, batch_size) -> Iterator[pl.DataFrame]:
        chosen = scan.select(with_columns) if with_columns is not None else scan
        end = total if n_rows is None else min(total, n_rows)
        for start in range(0, end, batch):
            frame = chosen.slice(start, min(batch, end - start)).collect()
            yield frame.filter(predicate) if predicate is not None else frame

    return register_io_source(source, schema=schema)


def write_lines(frame: pl.DataFrame, path: Path | None, file_format: str | None) -> None:
    """Write checked lines held in memory (the Spark engine's result on one machine)."""
    sink_lines(frame.lazy(), path, file_format)


def sink_lines(lines: pl.LazyFrame, path: Path | None, file_format: str | None) -> None:
    """Stream checked lines to a file (format by extension or --format), or to stdout (CSV or
    JSON Lines), batch by batch and in order. A file is written beside its target and renamed
    into place, so a run that fails half-way leaves no half-written output."""
    import sys

    kind = output_format(path, file_format)
    if path is None:
        sys.stdout.flush()
        _sink(lines, kind, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    from hcpcs.atomic import replacing

    with replacing(path) as partial:
        _sink(lines, kind, partial)


def _sink(lines: pl.LazyFrame, kind: str, target) -> None:
    if kind == "csv":
        lines = as_csv_text(lines)
    if kind == "parquet":
        # LZ4: writes in about two thirds of zstd's time (the default), files about the size
        # of pandas' default (snappy); checked lines are usually read once, soon.
        lines.sink_parquet(target, engine="streaming", compression="lz4")
        return
    sink = {"csv": lines.sink_csv, "jsonl": lines.sink_ndjson}[kind]
    sink(target, engine="streaming")


def as_csv_text(lines: pl.LazyFrame) -> pl.LazyFrame:
    """List columns (pricing_indicators, type_of_service) joined by `;`, as CSV holds lists;
    JSON Lines and Parquet keep them as lists, as docs/records.md has them."""
    import polars as pl

    listed = [name for name, kind in lines.collect_schema().items() if isinstance(kind, pl.List)]
    return lines.with_columns(pl.col(name).cast(pl.List(pl.String)).list.join(";") for name in listed)


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
