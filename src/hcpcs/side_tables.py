"""What a release brings besides its records, as the store keeps it: processing notes, the NOC
list, the change report, CMS's corrections, misfit values (anomalies), the workbook's
disagreements and the files it came as. A part of Store (see hcpcs.store)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

_CORRECTION_COLUMNS = ("code", "action", "effective_date", "details", "file", "issued")


class SideTables:
    """The side-table reads of a Store (which gives the connection, releases and cache)."""

    connection: sqlite3.Connection
    resolve_release: Callable[[str | None], str]
    remember: Callable[[tuple, Callable[[], Any]], Any]

    def processing_notes(self, release: str | None = None) -> dict[str, str]:
        """Processing note number to text, as the release's notes file has them."""
        label = self.resolve_release(release)

        def read() -> dict[str, str]:
            rows = self.connection.execute(
                "SELECT number, text FROM processing_notes WHERE release = ? ORDER BY number", (label,)
            )
            return dict(rows)

        return dict(self.remember(("notes", label), read))

    def noc_codes(self, release: str | None = None) -> list[dict[str, str | None]]:
        """CMS's list of not-otherwise-classified codes loaded with the release."""
        names = ("code", "description", "added_date", "termination_date")
        return self._rows_of("noc_codes", names, release, None, "code")

    def change_report(self, release: str | None = None) -> list[dict[str, str | None]]:
        """CMS's transaction report shipped with the release, in report order."""
        names = ("code", "action", "action_code", "short_description", "long_description")
        return self._rows_of("change_reports", names, release, None, "position")

    def load_warnings(self, release: str | None = None) -> list[str]:
        """Where the release's workbook disagreed with its text file, one line each."""
        return [row["message"] for row in self._rows_of("load_warnings", ("message",), release, None, "position")]

    def _rows_of(self, table: str, names: tuple[str, ...], release: str | None, code: str | None, order: str) -> list:
        """A side table's rows of a release (of one code, when given) as dicts."""
        label = self.resolve_release(release)
        sql = f"SELECT {', '.join(names)} FROM {table} WHERE release = ?"
        arguments: tuple = (label,)
        if code is not None:
            sql, arguments = sql + " AND code = ?", (label, code.strip().upper())
        cursor = self.connection.execute(f"{sql} ORDER BY {order}", arguments)
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def anomalies(self, release: str | None = None, code: str | None = None) -> list[dict[str, str]]:
        """Values CMS's files had where the layout wants something else (the field is left null)."""
        names = ("code", "field", "raw", "file", "place", "problem")
        return self._rows_of("anomalies", names, release, code, "rowid")

    def corrections(self, release: str | None = None, code: str | None = None) -> list[dict[str, Any]]:
        """CMS's corrections issued for a release (of one code, when given), in file order."""
        return _with_details(self._rows_of("corrections", _CORRECTION_COLUMNS, release, code, "position"))

    def code_corrections(self, code: str, up_to: str) -> list[dict[str, Any]]:
        """CMS's corrections naming a code, of every release up to `up_to`, oldest release first
        (each with its `release`): one indexed query."""
        names = (*_CORRECTION_COLUMNS, "release")
        cursor = self.connection.execute(
            f"SELECT {', '.join(names)} FROM corrections WHERE code = ? AND release <= ? ORDER BY release, position",
            (code.strip().upper(), up_to),
        )
        return _with_details([dict(zip(names, row, strict=True)) for row in cursor])

    def members(self, release: str | None = None) -> list[dict[str, Any]]:
        """Every file a release was given as (zip members too), with what it was read as or why not."""
        return self._rows_of("members", ("file", "role", "sha256", "bytes"), release, None, "file")


def _with_details(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Correction rows with their details (stored as JSON) decoded."""
    return [{**row, "details": json.loads(row["details"])} for row in rows]
