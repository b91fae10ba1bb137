"""The SQLite store: releases side by side; reading never writes (bar a one-time upgrade of an older store)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hcpcs.connection import read_generation, reading_connection, upgrade_in_place, writing_connection
from hcpcs.errors import StoreError, UnknownReleaseError
from hcpcs.migrations import OLDEST_UPGRADABLE
from hcpcs.model import FIELD_NAMES, LIST_FIELDS, CodeRecord, Release, Source
from hcpcs.side_tables import SideTables

if TYPE_CHECKING:
    from hcpcs.codebook import Codebook
    from hcpcs.drugs.answers import NdcAnswer, Price
    from hcpcs.drugs.load import DrugLoadResult
    from hcpcs.drugs.storage import DrugQuarter, DrugTables
    from hcpcs.history.asof import Replacements
    from hcpcs.history.currency import Currency
    from hcpcs.history.diff import Diff
    from hcpcs.history.timeline import Timeline
    from hcpcs.loader import LoadReport, LoadResult
    from hcpcs.page import Code
    from hcpcs.search import SearchResult

SCHEMA_VERSION = 5
_LISTS = frozenset(LIST_FIELDS)
_LIST_POSITIONS = tuple(i for i, name in enumerate(FIELD_NAMES) if name in _LISTS)
_COLUMNS = ", ".join(FIELD_NAMES)


def _connect(path: Path, write: bool) -> sqlite3.Connection:
    if not write and not path.is_file():
        raise StoreError(f"{path}: no store there (load a release into it first)")
    try:
        connection = writing_connection(path) if write else reading_connection(path)
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        empty = connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
    except (sqlite3.DatabaseError, OSError) as error:
        raise StoreError(f"{path}: not an hcpcs store ({error})") from None
    if empty:  # (writing_connection gives an empty file the schema) a creation killed before its commit
        connection.close()
        raise StoreError(f"{path}: an empty store (load a release into it first)")
    if OLDEST_UPGRADABLE <= version < SCHEMA_VERSION:
        connection.close()
        upgrade_in_place(path, version, SCHEMA_VERSION)
        return _connect(path, write)
    if version != SCHEMA_VERSION:
        connection.close()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: written by a newer hcpcs (schema {version}; this one reads up to {SCHEMA_VERSION}): "
                "upgrade hcpcs to read it"
            )
        raise StoreError(f"{path}: not an hcpcs store (schema version {version}, expected {SCHEMA_VERSION})")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


class Memo:
    """Facts computed from one generation of a store (release labels, id ranges, vocabularies),
    shared by every connection that reads it: a newer generation drops them all."""

    def __init__(self) -> None:
        self.generation = -1
        self.values: dict[tuple, Any] = {}
        self.lock = threading.Lock()

    def get(self, generation: int, key: tuple, compute: Callable[[], Any]) -> Any:
        """The value for `key` computed from `generation`; computed now if not kept."""
        with self.lock:
            if generation > self.generation:
                self.generation, self.values = generation, {}
            if generation == self.generation and key in self.values:
                return self.values[key]
        value = compute()
        with self.lock:
            if generation == self.generation:  # a reader of an older snapshot computes, keeps nothing
                self.values.setdefault(key, value)
        return value


def record_from_row(row: tuple) -> CodeRecord:
    """A canonical record from a codes row selected with every canonical column."""
    values = list(row)
    for position in _LIST_POSITIONS:
        text = values[position]
        values[position] = [] if text == "[]" else json.loads(text)  # most lists are empty
    return CodeRecord(*values)


class Store(SideTables):
    """One store file holding any number of releases."""

    def __init__(self, path: str | Path, *, write: bool = False, memo: Memo | None = None) -> None:
        self.path = Path(path)
        self.connection = _connect(self.path, write)
        self.writable = write
        # Per-release facts every page needs (labels, notes, NOC list, id ranges), per generation.
        self._memo = memo or Memo()
        self._snapshot: int | None = None  # the generation a reading() block sees
        self._drug_tables: DrugTables | None = None

    @property
    def generation(self) -> int:
        """A number every load that changes the store raises: equal numbers, equal data."""
        return self._snapshot if self._snapshot is not None else read_generation(self.connection)

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """A block of reads that all see one state of the store, whatever loads commit meanwhile.

        A server wraps each request in one, so a load is visible from the next request on,
        wholly: labels, cached facts and rows always belong to the same generation.
        """
        if self._snapshot is not None:
            yield self
            return
        if self.connection.in_transaction:  # a writer's own transaction already holds one state
            self._snapshot = read_generation(self.connection)
            try:
                yield self
            finally:
                self._snapshot = None
            return
        self.connection.execute("BEGIN")
        try:
            self._snapshot = read_generation(self.connection)  # the first read fixes the snapshot
            yield self
        finally:
            self._snapshot = None
            if self.connection.in_transaction:  # SQLite ends it itself after some errors (a full disk)
                self.connection.execute("ROLLBACK")

    def remember(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """`compute()`, kept until a load changes the store (shared by stores given the same memo)."""
        return self._memo.get(self.generation, key, compute)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- releases -------------------------------------------------------------
    def releases(self) -> list[Release]:
        """Every stored release, oldest first."""
        sources: dict[str, list[Source]] = {}
        for release, file, sha256 in self.connection.execute(
            "SELECT release, file, sha256 FROM sources ORDER BY release, file"
        ):
            sources.setdefault(release, []).append(Source(file, sha256))
        return [
            Release(label, effective, tuple(sources.get(label, ())), procedures, modifiers, loaded_at)
            for label, effective, procedures, modifiers, loaded_at in self.connection.execute(
                "SELECT label, effective_date, procedures, modifiers, loaded_at FROM releases ORDER BY label"
            )
        ]

    def release_labels(self) -> list[str]:
        """Stored release labels, oldest first."""

        def read() -> list[str]:
            return [row[0] for row in self.connection.execute("SELECT label FROM releases ORDER BY label")]

        return list(self.remember(("labels",), read))

    def latest_release(self) -> str:
        """The newest stored release label."""
        labels = self.release_labels()
        if not labels:
            raise UnknownReleaseError(f"{self.path}: the store holds no release")
        return labels[-1]

    def release_on(self, date: str) -> str:
        """The latest release in effect on a date (the earliest release if the date is before all)."""
        labels = self.release_labels()
        if not labels:
            raise UnknownReleaseError(f"{self.path}: the store holds no release")
        in_effect = [label for label in labels if f"{label}-01" <= date]
        return in_effect[-1] if in_effect else labels[0]

    def currency(self, on: str | None = None) -> Currency:
        """Which release answers a date (default today) and whether the date is past the stored data."""
        from hcpcs.history.currency import currency, today

        labels = self.release_labels()
        if not labels:
            raise UnknownReleaseError(f"{self.path}: the store holds no release")
        if on is None:  # today's answer is the same for every page of the day: kept (any date is not)
            date = today()
            return self.remember(("currency", date), lambda: currency(labels, date))
        return currency(labels, on)

    def resolve_release(self, release: str | None) -> str:
        """The given label if stored (None means the latest), else UnknownReleaseError."""
        if release is None:
            return self.latest_release()
        if release not in self.release_labels():
            known = ", ".join(self.release_labels()) or "none"
            raise UnknownReleaseError(f"release {release!r} is not in the store (stored: {known})")
        return release

    # -- records --------------------------------------------------------------
    def records(self, release: str | None = None) -> Iterator[CodeRecord]:
        """Every record of a release (default: the latest), in file order."""
        label = self.resolve_release(release)
        cursor = self.connection.execute(f"SELECT {_COLUMNS} FROM codes WHERE release = ? ORDER BY id", (label,))
        return (record_from_row(row) for row in cursor)

    def record(self, code: str, release: str | None = None) -> CodeRecord | None:
        """One code's canonical record in a release (default: the latest), or None."""
        label = self.resolve_release(release)
        row = self.connection.execute(
            f"SELECT {_COLUMNS} FROM codes WHERE release = ? AND code = ?", (label, code.strip().upper())
        ).fetchone()
        return record_from_row(row) if row else None

    def releases_holding(self, code: str) -> list[str]:
        """The stored releases whose file holds a code, oldest first (one indexed query)."""
        cursor = self.connection.execute(
            "SELECT release FROM codes WHERE code = ? ORDER BY release", (code.strip().upper(),)
        )
        return [row[0] for row in cursor]

    def get(
        self, code: str, release: str | None = None, on: str | None = None, as_known_now: bool = False
    ) -> Code | None:
        """One code as its page shows it (every field decoded), or None if the release lacks it.

        With `on` (YYYY-MM-DD) and no release: the record from the latest release in effect on
        that date that holds the code (else the earliest later one), its status as of the date;
        with `as_known_now`, the newest release's record instead (CMS's latest word on the date).
        Without a release the page says how current it is (`page.currency`), and whether a later
        release changed the date's answer after the fact (`page.revised_later`).
        """
        with self.reading():  # one state of the store, its generation read once
            return self._get(code.strip().upper(), release, on, as_known_now)

    def _get(self, key: str, release: str | None, on: str | None, as_known_now: bool) -> Code | None:
        from hcpcs.history.asof import record_as_known_now, record_on, revision
        from hcpcs.page import build_code

        if release is not None:
            record = self.record(key, release)
        elif as_known_now:
            record = record_as_known_now(self, key)
        elif on is not None:
            record = record_on(self, key, on)
        else:
            record = self.record(key)
        if record is None:
            return None
        page = build_code(self, record, on)
        page.as_known_now = as_known_now
        if release is None or on is not None:
            page.currency = self.currency(on).to_dict()
        if on is not None and not as_known_now:
            later = revision(self, record, on)
            page.revised_later = later.to_dict() if later else None
        return page

    def is_valid(self, code: str, on: str, as_known_now: bool = False) -> bool:
        """Whether a code was valid on a date: added by then and not terminated before it
        (by the release in effect then, or with `as_known_now` by the newest release)."""
        from hcpcs.history.asof import record_as_known_now, record_on, valid_on

        key = code.strip().upper()
        record = record_as_known_now(self, key) if as_known_now else record_on(self, key, on)
        return record is not None and valid_on(record, on)

    def history(self, code: str) -> Timeline:
        """A code's timeline across every stored release."""
        from hcpcs.history.timeline import timeline

        return timeline(self, code)

    def diff(self, old: str, new: str) -> Diff:
        """Every canonical field that differs between two releases."""
        from hcpcs.history.diff import diff

        return diff(self, old, new)

    def replacements(self, code: str, on: str | None = None) -> Replacements:
        """The codes in force (on the date, default the latest release) that a terminated code leads to."""
        from hcpcs.history.asof import replacements

        return replacements(self, code.strip().upper(), on)

    def lookup(self, code: str, release: str | None = None, on: str | None = None, as_known_now: bool = False) -> Code:
        """A code's page as a user types it; MalformedCodeError or UnknownCodeError (with suggestions)."""
        from hcpcs.lookup import lookup

        return lookup(self, code, release, on, as_known_now)

    def search(
        self,
        query: str,
        limit: int = 10,
        offset: int = 0,
        release: str | None = None,
        on: str | None = None,
        **filters: Any,
    ) -> SearchResult:
        """Ranked codes for what a user typed (words, synonyms, typos, codes, prefixes, ranges).

        Filters: kind, letter, category, coverage, betos, include_terminated. Never raises on the text.
        """
        from hcpcs.search import Filters, search

        found = search(self, query, limit=limit, offset=offset, release=release, on=on, filters=Filters(**filters))
        if release is None:
            found.currency = self.currency(on).to_dict()
        return found

    def suggest(self, prefix: str, limit: int = 10, release: str | None = None) -> list[dict[str, str | None]]:
        """As-you-type suggestions: [{"code", "short_description"}, ...]."""
        from hcpcs.search import suggest

        return suggest(self, prefix, limit=limit, release=release)

    def check_line(
        self,
        code: str,
        date_of_service: str,
        modifiers: str = "",
        claim_id: str = "1",
        line: str = "1",
        ndc: str | None = None,
        units: str | float | None = None,
    ) -> dict[str, Any]:
        """One claim line checked and enriched, as `hcpcs validate` would write it (with the `ndc`
        and `units` columns when given)."""
        import polars as pl

        from hcpcs.claims.polars_engine import validate_frame

        columns = {"claim_id": [claim_id], "line": [line], "code": [code], "modifiers": [modifiers],
                   "date_of_service": [date_of_service]}  # fmt: skip
        columns |= {name: [str(value)] for name, value in (("ndc", ndc), ("units", units)) if value is not None}
        return validate_frame(pl.DataFrame(columns), self).row(0, named=True)

    def codes(self, release: str | None = None) -> list[str]:
        """Every code of a release, sorted."""
        label = self.resolve_release(release)
        return [
            r[0] for r in self.connection.execute("SELECT code FROM codes WHERE release = ? ORDER BY code", (label,))
        ]

    def short_descriptions(self, codes: list[str], release: str) -> dict[str, str | None]:
        """Short descriptions of codes: from the release, else the latest release that has them."""
        found: dict[str, str | None] = {}
        for code in codes:
            row = self.connection.execute(
                "SELECT short_description FROM codes WHERE code = ? ORDER BY release = ? DESC, release DESC LIMIT 1",
                (code, release),
            ).fetchone()
            if row:
                found[code] = row[0]
        return found

    def nearest_release_with(self, table: str, release: str) -> str | None:
        """The release nearest to this one holding a side table (notes, NOC list): at or before it, else after.

        Quarterly files ship no processing notes or NOC list; the annual ones before them apply.
        """
        if table not in ("processing_notes", "noc_codes"):
            raise ValueError(f"no side table {table!r}")

        def read() -> str | None:
            row = self.connection.execute(
                f"SELECT release FROM {table} GROUP BY release "
                "ORDER BY release <= ? DESC, (CASE WHEN release <= ? THEN release END) DESC, release LIMIT 1",
                (release, release),
            ).fetchone()
            return row[0] if row else None

        return self.remember(("nearest", table, release), read)

    def noc_code_set(self, release: str) -> frozenset[str]:
        """The codes on the NOC list loaded with a release (empty if it has none)."""

        def read() -> frozenset[str]:
            rows = self.connection.execute("SELECT code FROM noc_codes WHERE release = ?", (release,))
            return frozenset(r[0] for r in rows)

        return self.remember(("noc", release), read)

    def release_info(self, release: str) -> dict[str, str]:
        """A stored release's effective date and the file its records were read from."""
        label = self.resolve_release(release)

        def read() -> dict[str, str]:
            effective, record_file = self.connection.execute(
                "SELECT effective_date, record_file FROM releases WHERE label = ?", (label,)
            ).fetchone()
            return {"release": label, "effective_date": effective, "record_file": record_file}

        return dict(self.remember(("release", label), read))

    @property
    def codebook(self) -> Codebook:
        """What every field is and what every value means."""
        from hcpcs.codebook import load_codebook

        return load_codebook()

    # -- writing ----------------------------------------------------------------
    def load(
        self,
        paths: list[str | Path],
        *,
        release: str | None = None,
        replace: bool = False,
        strict: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> list[LoadResult | DrugLoadResult]:
        """Read official CMS files and store each release (and drug quarter file) they hold, atomically.

        Each release loads in its own transaction; if any is refused (damaged, or already stored
        from other files), the others still load and ReleasesRefusedError says which and why.
        """
        report = self.load_report(paths, release=release, replace=replace, strict=strict, progress=progress)
        if report.refused:
            from hcpcs.errors import ReleasesRefusedError

            raise ReleasesRefusedError([*report.results, *report.drugs], report.refused)
        return [*report.results, *report.drugs]

    def load_report(
        self,
        paths: list[str | Path],
        *,
        release: str | None = None,
        replace: bool = False,
        strict: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> LoadReport:
        """Like load(), but every release's outcome is returned, refused ones included."""
        from hcpcs.loader import load_paths

        if not self.writable:
            raise StoreError(f"{self.path}: opened read-only; open it with write=True to load")
        # Cached facts belong to a store generation, which every load that changes rows raises.
        return load_paths(self.connection, [Path(p) for p in paths], release, replace, progress, strict, self.drugs)

    # -- drugs (hcpcs.drugs: ASP payment limits, NDC-HCPCS crosswalk) ---------------
    @property
    def drugs(self) -> DrugTables:
        """The store's drug tables (payment limits and crosswalks by quarter)."""
        from hcpcs.drugs.storage import DrugTables

        # Per open store, not in the memo other connections share: it reads on this connection.
        if self._drug_tables is None:
            self._drug_tables = DrugTables(self.connection, self.remember)
        return self._drug_tables

    def drug_quarters(self) -> list[DrugQuarter]:
        """Every stored drug quarter, oldest first, with the files of each kind."""
        return self.drugs.quarters()

    def price(self, code: str, on: str | None = None, quarter: str | None = None) -> Price:
        """A code's Part B payment limit in the quarter covering a date, or the quarter named (default: the newest)."""
        from hcpcs.drugs.answers import price

        return price(self.drugs, code, on=on, quarter=quarter)

    def ndc(self, ndc: str, on: str | None = None, quarter: str | None = None) -> NdcAnswer:
        """The codes and billing units an NDC (any form people type) bills as in a quarter (default: the newest)."""
        from hcpcs.drugs.answers import ndc as ndc_answer

        return ndc_answer(self.drugs, ndc, on=on, quarter=quarter)
