"""The drug tables of a store (schema section 5): writing a quarter's file in one transaction,
and the queries the answers need. Takes a SQLite connection; knows nothing of `Store`."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hcpcs.drugs.kinds import CROSSWALK, KINDS, PAYMENT_LIMITS
from hcpcs.drugs.read import CROSSWALK_COLUMNS, PAYMENT_COLUMNS, DrugFile

_TABLE = {PAYMENT_LIMITS: "drug_payment_limits", CROSSWALK: "drug_crosswalk"}


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One kind of a stored quarter: how many rows, what was left out, where it came from."""

    kind: str
    rows: int
    level_i_rows: int
    read_from: str
    loaded_at: str
    sources: tuple[tuple[str, str], ...]  # (file, sha256)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "rows": self.rows,
            "level_i_rows_left_out": self.level_i_rows,
            "sources": [{"file": file, "sha256": sha256} for file, sha256 in self.sources],
            "read_from": self.read_from,
            "loaded_at": self.loaded_at,
        }


@dataclass(frozen=True, slots=True)
class DrugQuarter:
    """A stored drug quarter: the dates it covers and each kind of file stored for it."""

    quarter: str
    effective_from: str
    effective_until: str
    files: dict[str, StoredFile] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: both kinds, null where a kind is not stored."""
        return {
            "quarter": self.quarter,
            "effective_from": self.effective_from,
            "effective_until": self.effective_until,
            **{kind: (self.files[kind].to_dict() if kind in self.files else None) for kind in KINDS},
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class DrugTables:
    """The drug tables over one connection. `remember(key, compute)` caches per open store (the
    store clears it after a load); without it nothing is cached."""

    def __init__(self, connection: sqlite3.Connection, remember: Callable[[tuple, Callable], Any] | None = None):
        self.connection = connection
        self._remember = remember or (lambda key, compute: compute())

    # -- reading ------------------------------------------------------------------
    def quarters(self) -> list[DrugQuarter]:
        """Every stored quarter, oldest first."""

        def read() -> list[DrugQuarter]:
            sources: dict[tuple[str, str], list[tuple[str, str]]] = {}
            for quarter, kind, file, sha256 in self.connection.execute(
                "SELECT quarter, kind, file, sha256 FROM drug_sources ORDER BY quarter, kind, file"
            ):
                sources.setdefault((quarter, kind), []).append((file, sha256))
            found: dict[str, DrugQuarter] = {}
            for quarter, kind, start, until, rows, level_i, read_from, loaded_at in self.connection.execute(
                "SELECT quarter, kind, effective_from, effective_until, rows, level_i_rows, read_from, loaded_at "
                "FROM drug_files ORDER BY quarter, kind"
            ):
                entry = found.setdefault(quarter, DrugQuarter(quarter, start, until))
                entry.files[kind] = StoredFile(kind, rows, level_i, read_from, loaded_at,
                                               tuple(sources.get((quarter, kind), ())))  # fmt: skip
            return list(found.values())

        return self._remember(("drug quarters",), read)

    def stored_hashes(self) -> dict[tuple[str, str], set[str]]:
        """(quarter, kind) -> the sha256 of the files it was read from."""
        stored: dict[tuple[str, str], set[str]] = {}
        for quarter, kind, sha256 in self.connection.execute("SELECT quarter, kind, sha256 FROM drug_sources"):
            stored.setdefault((quarter, kind), set()).add(sha256)
        return stored

    def payment_limit(self, code: str, quarter: str) -> dict[str, Any] | None:
        """A code's row of a quarter's payment limit file (canonical names), or None."""
        row = self.connection.execute(
            f"SELECT {', '.join(PAYMENT_COLUMNS)} FROM drug_payment_limits WHERE quarter = ? AND code = ?",
            (quarter, code),
        ).fetchone()
        return dict(zip(PAYMENT_COLUMNS, row, strict=True)) if row else None

    def payment_history(self, code: str) -> list[tuple[str, str | None, float | None]]:
        """(quarter, billing unit, payment limit) of every stored quarter that has the code."""
        return self.connection.execute(
            "SELECT quarter, dosage, payment_limit FROM drug_payment_limits WHERE code = ? ORDER BY quarter", (code,)
        ).fetchall()

    def crosswalk_of_ndc(self, ndc: str, quarter: str) -> list[dict[str, Any]]:
        """The crosswalk rows of an NDC (5-4-2) in a quarter, by code."""
        # By the NDC index: left to itself, SQLite would walk the whole quarter by the primary key.
        return self._crosswalk(
            "ndc = ? AND quarter = ? ORDER BY code, position", (ndc, quarter), "drug_crosswalk_by_ndc"
        )

    def crosswalk_of_code(self, code: str, quarter: str) -> list[dict[str, Any]]:
        """A code's NDC packages in a quarter's crosswalk, in file order."""
        return self._crosswalk("code = ? AND quarter = ? ORDER BY position", (code, quarter))

    def _crosswalk(self, where: str, parameters: tuple, index: str | None = None) -> list[dict[str, Any]]:
        indexed = f" INDEXED BY {index}" if index else ""
        rows = self.connection.execute(
            f"SELECT {', '.join(CROSSWALK_COLUMNS)} FROM drug_crosswalk{indexed} WHERE {where}", parameters
        )
        return [dict(zip(CROSSWALK_COLUMNS, row, strict=True)) for row in rows]

    def quarters_with(self, kind: str, column: str, value: str) -> list[str]:
        """The stored quarters whose file of the kind has a row with the value (code or ndc)."""
        if column not in ("code", "ndc"):
            raise ValueError(f"no lookup by {column!r}")
        where, parameters = f"{column} = ?", [value]
        if kind == CROSSWALK and column == "code":
            # No index by code alone: naming the quarters lets SQLite seek its (quarter, code) key.
            labels = [q.quarter for q in self.quarters() if kind in q.files]
            where, parameters = f"quarter IN ({', '.join('?' * len(labels))}) AND code = ?", [*labels, value]
        rows = self.connection.execute(f"SELECT DISTINCT quarter FROM {_TABLE[kind]} WHERE {where} ORDER BY quarter",
                                       parameters)  # fmt: skip
        return [row[0] for row in rows]

    def warnings(self, quarter: str, kind: str) -> list[str]:
        """The quirks met reading the quarter's file of a kind, one line each."""
        rows = self.connection.execute(
            "SELECT message FROM drug_warnings WHERE quarter = ? AND kind = ? ORDER BY position", (quarter, kind)
        )
        return [row[0] for row in rows]

    def rows(self, kind: str, quarters: list[str]) -> sqlite3.Cursor:
        """Every row of the quarters' files of a kind, with its quarter first (for exports)."""
        columns = PAYMENT_COLUMNS if kind == PAYMENT_LIMITS else CROSSWALK_COLUMNS
        marks = ", ".join("?" * len(quarters))
        order = "quarter, code" if kind == PAYMENT_LIMITS else "quarter, position"
        return self.connection.execute(
            f"SELECT quarter, {', '.join(columns)} FROM {_TABLE[kind]} WHERE quarter IN ({marks}) ORDER BY {order}",
            quarters,
        )

    # -- writing ------------------------------------------------------------------
    def delete(self, quarter: str, kind: str) -> None:
        """Remove a quarter's file of a kind and its rows (inside the caller's transaction)."""
        self.connection.execute(f"DELETE FROM {_TABLE[kind]} WHERE quarter = ?", (quarter,))
        self.connection.execute("DELETE FROM drug_files WHERE quarter = ? AND kind = ?", (quarter, kind))

    def insert(self, data: DrugFile, sources: list[tuple[str, str]], read_from: str) -> None:
        """Store one file's rows (inside the caller's transaction)."""
        quarter, kind = data.quarter, data.kind
        self.connection.execute(
            "INSERT INTO drug_files (quarter, kind, effective_from, effective_until, rows, level_i_rows, read_from, "
            "loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (quarter, kind, data.effective_from, data.effective_until, len(data.rows), data.level_i_rows, read_from,
             _now()),
        )  # fmt: skip
        self.connection.executemany(
            "INSERT INTO drug_sources (quarter, kind, file, sha256) VALUES (?, ?, ?, ?)",
            [(quarter, kind, file, sha256) for file, sha256 in dict(sources).items()],
        )
        if kind == PAYMENT_LIMITS:
            marks = ", ".join("?" * (len(PAYMENT_COLUMNS) + 1))
            self.connection.executemany(
                f"INSERT INTO drug_payment_limits (quarter, {', '.join(PAYMENT_COLUMNS)}) VALUES ({marks})",
                [(quarter, *row) for row in data.rows],
            )
        else:
            marks = ", ".join("?" * (len(CROSSWALK_COLUMNS) + 2))
            self.connection.executemany(
                f"INSERT INTO drug_crosswalk (quarter, position, {', '.join(CROSSWALK_COLUMNS)}) VALUES ({marks})",
                [(quarter, position, *row) for position, row in enumerate(data.rows)],
            )
        self.connection.executemany(
            "INSERT INTO drug_warnings (quarter, kind, position, message) VALUES (?, ?, ?, ?)",
            [(quarter, kind, position, message) for position, message in enumerate(data.warnings)],
        )
