"""Stores that survive: kills during creation, loads at the same time, lock waits, older schemas, read-only
files, and a default store that is never deleted or rebuilt behind its user's back."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hcpcs.store import SCHEMA_VERSION, Store

from conftest import BUNDLED_LABELS, ZIP_2019, ZIP_2020, run_cli, zip_member

SEED = int(os.environ.get("HCPCS_KILL_SEED", "20261129"))
SCHEMA_V3 = Path(__file__).with_name("data") / "schema_v3.sql"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def without_write_permission(command: list[str]) -> list[str]:
    """The command run so that file permissions bind it (root drops the capability to override them)."""
    if os.geteuid() != 0:
        return command
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot drop the right to write read-only files")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *command]


def hcpcs(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hcpcs", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})  # fmt: skip


def releases_of(path: Path) -> list[str]:
    with Store(path) as store:
        return store.release_labels()


def one_clean_line(stderr: str) -> bool:
    return len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr and stderr.startswith("error: ")


def test_a_store_killed_while_being_created_is_usable_next_time(tmp_path):
    rng = random.Random(SEED)
    empty_after_kill = 0
    for attempt in range(10):
        path = tmp_path / f"new-{attempt}.sqlite"
        loading = hcpcs("--db", str(path), "load", str(ZIP_2020))
        wait_for = path.with_name(path.name + "-wal") if attempt % 2 else path
        while loading.poll() is None and not wait_for.exists():
            time.sleep(0.001)
        time.sleep(rng.choice([0, 0, rng.uniform(0, 0.05)]))
        loading.send_signal(signal.SIGKILL)
        loading.wait(timeout=60)
        if path.exists() and not sqlite3.connect(path).execute("SELECT 1 FROM sqlite_master").fetchone():
            empty_after_kill += 1

        listed = run_cli("--db", str(path), "releases", "--format", "json")
        assert listed.returncode == 0 or (listed.returncode == 2 and one_clean_line(listed.stderr)), listed.stderr
        again = run_cli("--db", str(path), "load", str(ZIP_2020))
        assert again.returncode == 0, again.stderr
        assert releases_of(path) == ["2020-01"]
        with Store(path) as store:
            assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert store.connection.execute("SELECT count(*) FROM codes").fetchone()[0] == 7079
    print(f"seed {SEED}: {empty_after_kill} of 10 kills left a file without tables")
    assert empty_after_kill >= 1, "no kill landed before the schema was committed"


def test_loads_at_the_same_time_serialize(tmp_path):
    path = tmp_path / "new.sqlite"
    both = [hcpcs("--db", str(path), "load", str(ZIP_2020), "--format", "json") for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in both]
    for process, (_, stderr) in zip(both, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
    statuses = sorted(json.loads(stdout)[0]["status"] for stdout, _ in outputs)
    assert statuses == ["loaded", "unchanged"]
    assert releases_of(path) == ["2020-01"]


def test_a_load_waits_for_another_writer_and_says_so(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path, write=True) as store:
        store.load([ZIP_2020])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         f"c = sqlite3.connect({str(path)!r}, isolation_level=None); c.execute('BEGIN IMMEDIATE')\n"
         "print('locked', flush=True); time.sleep(4); c.execute('ROLLBACK')"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    loaded = run_cli("--db", str(path), "load", str(ZIP_2019))
    holder.wait(timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    assert f"waiting: another process is writing to {path}" in loaded.stderr.splitlines()
    assert time.monotonic() - started > 2
    assert releases_of(path) == ["2019-01", "2020-01"]


def _schema(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every table, index and trigger by name, with its SQL (spacing normalised)."""
    rows = connection.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
    return [(name, " ".join(sql.split())) for name, sql in rows]


@pytest.fixture()
def schema_3_store(tmp_path, full_store) -> Path:
    """A store with schema 3, as the previous version of hcpcs wrote it, holding every bundled release."""
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(SCHEMA_V3.read_text(encoding="utf-8"))
    old.execute("ATTACH DATABASE ? AS current", (f"file:{full_store}?mode=ro",))
    tables = [r[0] for r in old.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")]
    for table in tables:
        if not table.startswith("codes_fts"):
            columns = ", ".join(r[1] for r in old.execute(f"PRAGMA main.table_info({table})"))
            old.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}")
    old.execute("INSERT INTO codes_fts (codes_fts) VALUES ('rebuild')")
    old.execute("DETACH DATABASE current")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 3
    old.close()
    return path


def test_a_schema_3_store_is_upgraded_in_place_keeping_its_releases(schema_3_store, full_store, tmp_path):
    expected = run_cli("--db", str(full_store), "show", "G0503", "--release", "2019-01", "--format", "json")
    shown = run_cli("--db", str(schema_3_store), "show", "G0503", "--release", "2019-01", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == json.loads(expected.stdout)
    fresh = tmp_path / "fresh.sqlite"
    Store(fresh, write=True).close()
    upgraded = sqlite3.connect(schema_3_store)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert _schema(upgraded) == _schema(sqlite3.connect(fresh))
    assert releases_of(schema_3_store) == releases_of(full_store)
    found = run_cli("--db", str(schema_3_store), "search", "oxygen concentrator", "--format", "json")
    assert found.returncode == 0 and "E1390" in found.stdout


def test_processes_opening_a_schema_3_store_at_once_upgrade_it_once(schema_3_store):
    opening = [hcpcs("--db", str(schema_3_store), "releases", "--format", "json") for _ in range(3)]
    outputs = [process.communicate(timeout=300) for process in opening]
    assert [process.returncode for process in opening] == [0, 0, 0], [err for _, err in outputs]
    assert len({stdout for stdout, _ in outputs}) == 1
    assert [r["release"] for r in json.loads(outputs[0][0])["releases"]] == releases_of(schema_3_store)


def test_a_read_only_schema_3_store_is_refused_in_one_line_and_left_as_it_is(schema_3_store):
    folder = schema_3_store.parent / "readonly"
    folder.mkdir()
    path = folder / "old.sqlite"
    shutil.copy(schema_3_store, path)
    before = digest(path)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        result = subprocess.run(
            without_write_permission([sys.executable, "-m", "hcpcs", "--db", str(path), "releases"]),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    assert one_clean_line(result.stderr), result.stderr
    assert "needs an upgrade" in result.stderr
    assert digest(path) == before


def test_a_current_store_in_a_read_only_folder_is_read(full_store, tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = folder / "store.sqlite"
    shutil.copy(full_store, path)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        result = subprocess.run(
            without_write_permission([sys.executable, "-m", "hcpcs", "--db", str(path), "show", "E1390", "--format",
                                      "json"]),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["code"] == "E1390"


@pytest.fixture()
def default_store(tmp_path) -> tuple[Path, dict[str, str]]:
    """A default store holding a release its user loaded (2030-01) besides one bundled release."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HCPCS_DB": ""}
    path = tmp_path / "data" / "hcpcs" / "hcpcs.sqlite"
    # The user's own file: 2020's text file with one description edited (the bundle lacks these bytes).
    text = zip_member(ZIP_2020, "HCPC2020_ANWEB_w_disclaimer.txt")
    assert text.count(b"Oxygen concentrator") >= 1
    own = tmp_path / "HCPC2030_ANWEB.txt"
    own.write_bytes(text.replace(b"Oxygen concentrator", b"Oxygen Concentrator", 1))
    with Store(path, write=True) as store:
        store.load([ZIP_2019])
        store.load([own], release="2030-01")
    return path, env


def test_the_default_store_keeps_user_releases_while_it_waits_for_a_writer(default_store):
    path, env = default_store
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3\n"
         f"c = sqlite3.connect({str(path)!r}, isolation_level=None); c.execute('BEGIN IMMEDIATE')\n"
         "print('locked', flush=True); input(); c.execute('ROLLBACK')"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "locked"
    listing = hcpcs("releases", "--format", "json", env=env)
    first_line = listing.stderr.readline()  # the wait is said before it ends
    holder.communicate("\n", timeout=60)  # the other writer finishes
    stdout, stderr = listing.communicate(timeout=300)
    assert listing.returncode == 0, stderr
    assert first_line == f"waiting: another process is writing to {path}\n"
    labels = [r["release"] for r in json.loads(stdout)["releases"]]
    assert labels == [*BUNDLED_LABELS, "2030-01"]


@pytest.mark.parametrize("damage", ["not sqlite", "newer schema"])
def test_a_default_store_it_cannot_read_is_reported_never_deleted(default_store, damage):
    path, env = default_store
    if damage == "not sqlite":
        path.write_bytes(b"these are not the bytes of an SQLite database" * 100)
        path.with_name(path.name + "-wal").unlink(missing_ok=True)
        path.with_name(path.name + "-shm").unlink(missing_ok=True)
    else:
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA user_version = 99")
        connection.commit()
        connection.close()
    before = digest(path)

    result = run_cli("releases", env=env)

    assert result.returncode == 2
    assert one_clean_line(result.stderr), result.stderr
    assert "kept as it is" in result.stderr
    assert digest(path) == before


def test_a_store_an_older_hcpcs_left_without_tables_is_created_on_the_next_load(tmp_path):
    """What a kill during creation used to leave: user_version set, no tables ('no such table' for good)."""
    path = tmp_path / "half.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 3")
    connection.close()
    listed = run_cli("--db", str(path), "releases")
    assert listed.returncode == 2 and one_clean_line(listed.stderr), listed.stderr
    assert "empty store" in listed.stderr
    loaded = run_cli("--db", str(path), "load", str(ZIP_2020))
    assert loaded.returncode == 0, loaded.stderr
    assert releases_of(path) == ["2020-01"]
