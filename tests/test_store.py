"""The SQLite store: provenance, atomic loads, re-loads, replacement, read-only opening."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from hcpcs.errors import ReleaseExistsError, StoreError, UnknownReleaseError
from hcpcs.store import Store

from conftest import BUNDLED, BUNDLED_LABELS, QUARTERS, ZIP_2019, ZIP_2020, sha256


def file_digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_bundled_release_with_provenance(full_store):
    manifest = json.loads((BUNDLED / "MANIFEST.json").read_text())
    with Store(full_store) as store:
        releases = store.releases()
        assert [r.release for r in releases] == BUNDLED_LABELS
        assert [(r.procedures, r.modifiers) for r in releases] == [
            (6440, 360),
            (6710, 369),
            (6728, 369),
            (6789, 369),
            (6825, 371),
            (8259, 383),
            (8623, 383),
            (8725, 384),
        ]  # fmt: skip  (2025: 8,642 codes; 2026-01: 9,006; 2026-07: 9,109, as the files' README counts them)
        for release, entry in zip(releases, manifest["releases"], strict=True):
            assert release.effective_date == f"{release.release}-01"
            assert {s.sha256 for s in release.sources} == {f["sha256"] for f in entry["files"]}
        assert {s.file for s in releases[0].sources} == {
            "releases/2019-01/2019-Alpha-Numeric-HCPCS-File.zip",
            "releases/2019-01/2019-HCPCS-NOC-Codes.zip",
            "releases/2019-01/2019-HCPCS-Alpha-Numeric-Corrections.zip",
            "releases/2019-01/2019-HCPCS-Record-Layout.zip",
        }


def test_side_tables_are_stored_with_their_release(full_store):
    with Store(full_store) as store:
        assert store.processing_notes("2019-01")["0088"].startswith('"S" CODES ARE UNIQUE')
        assert len(store.noc_codes("2019-01")) == 139
        assert store.noc_codes("2020-01") == []
        report = store.change_report("2020-10")
        assert len(report) == 7196 and report[0]["code"] == "A1"
        assert len(store.load_warnings("2019-01")) == 117
        assert store.load_warnings("2020-01") == []


def test_fts_index_matches_the_codes(full_store):
    with Store(full_store) as store:
        hits = store.connection.execute(
            "SELECT c.release, c.code FROM codes_fts f JOIN codes c ON c.id = f.rowid "
            "WHERE codes_fts MATCH 'chemotherapy AND diem'"
        ).fetchall()
        assert ("2020-10", "S9329") in hits
        assert {release for release, _ in hits} == set(store.release_labels())


def test_reloading_the_same_file_changes_nothing(store_2020):
    before = file_digest(store_2020)
    with Store(store_2020, write=True) as store:
        (result,) = store.load([ZIP_2020])
    assert result.status == "unchanged"
    assert "already stored as release 2020-01" in result.note
    assert file_digest(store_2020) == before


def test_other_files_for_a_stored_label_need_replace(store_2020):
    before = file_digest(store_2020)
    with Store(store_2020, write=True) as store:
        with pytest.raises(ReleaseExistsError, match="--replace"):
            store.load([ZIP_2019], release="2020-01")
    assert file_digest(store_2020) == before


def test_replace_swaps_the_release_and_its_index(store_2020):
    with Store(store_2020, write=True) as store:
        (result,) = store.load([ZIP_2019], release="2020-01", replace=True)
        assert result.status == "replaced"
        assert result.procedures == 6440
        assert {s.sha256 for s in store.releases()[0].sources} == {sha256(ZIP_2019)}
        assert store.connection.execute("SELECT count(*) FROM codes").fetchone()[0] == 6800
        # The index was rebuilt for the new rows: it agrees with its content table.
        store.connection.execute("INSERT INTO codes_fts(codes_fts, rank) VALUES ('integrity-check', 1)")
        hits = store.connection.execute(
            "SELECT c.code FROM codes_fts JOIN codes c ON c.id = codes_fts.rowid WHERE codes_fts MATCH 'code:G0503'"
        ).fetchall()
        assert hits == [("G0503",)]


def test_opening_for_reading_never_writes(full_store):
    before = (file_digest(full_store), full_store.stat().st_mtime_ns)
    with Store(full_store) as store:
        assert store.get(" s9329 ").code == "S9329"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.connection.execute("DELETE FROM releases")
        with pytest.raises(StoreError, match="read-only"):
            store.load([ZIP_2020])
    assert (file_digest(full_store), full_store.stat().st_mtime_ns) == before


def test_missing_or_foreign_store_files_are_refused(tmp_path):
    with pytest.raises(StoreError, match="no store there"):
        Store(tmp_path / "absent.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(StoreError, match="not an hcpcs store"):
        Store(junk)


def test_unknown_release(full_store):
    with Store(full_store) as store:
        with pytest.raises(UnknownReleaseError, match="2031-01"):
            store.get("S9329", release="2031-01")
        assert store.get("S9329", release="2019-01").release == "2019-01"


def test_a_load_killed_half_way_stores_nothing(store_2020):
    """SIGKILL after the codes are inserted but before COMMIT: the release is not there."""
    before = file_digest(store_2020)
    script = textwrap.dedent(
        f"""
        import os, signal
        import hcpcs.loader as loader
        from hcpcs.store import Store

        real = loader._insert_release
        def insert_then_die(connection, data):
            real(connection, data)
            os.kill(os.getpid(), signal.SIGKILL)
        loader._insert_release = insert_then_die
        Store({str(store_2020)!r}, write=True).load([{str(QUARTERS["2020-04"])!r}])
        """
    )
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert process.returncode == -signal.SIGKILL
    with Store(store_2020, write=True) as store:  # opening for write rolls the hot journal back
        assert store.release_labels() == ["2020-01"]
        assert store.connection.execute("SELECT count(*) FROM codes").fetchone()[0] == 7079
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert file_digest(store_2020) == before
