"""The `hcpcs` command, run as a user runs it, on the bundled files."""

from __future__ import annotations

import json
import subprocess
import sys

from hcpcs.ingest.fixed_width import read_text
from hcpcs.model import FIELD_NAMES
from hcpcs.store import Store

from conftest import BUNDLED, BUNDLED_LABELS, QUARTERS, ZIP_2020, run_cli, zip_member


def test_load_prints_one_row_per_release(tmp_path):
    store = tmp_path / "s.sqlite"
    result = run_cli("--db", str(store), "load", str(ZIP_2020), *map(str, QUARTERS.values()))
    assert result.returncode == 0, result.stderr
    for label, procedures in (
        ("2020-01", "6710"),
        ("2020-04", "6728"),
        ("2020-07", "6789"),
        ("2020-10", "6825"),
    ):
        row = next(line for line in result.stdout.splitlines() if label in line)
        assert procedures in row and "loaded" in row
    again = run_cli("--db", str(store), "load", "--format", "json", str(QUARTERS["2020-04"]))
    assert again.returncode == 0
    (loaded,) = json.loads(again.stdout)
    assert loaded["status"] == "unchanged" and loaded["release"] == "2020-04"


def test_load_reports_workbook_disagreements_as_warnings(tmp_path):
    store = tmp_path / "s.sqlite"
    result = run_cli("--db", str(store), "load", str(BUNDLED / "2019-01"))
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 6
    assert warnings[-1] == "warning: 112 more notes on 2019-01; `hcpcs warnings 2019-01` lists all"
    listed = run_cli("--db", str(store), "warnings", "2019-01")
    assert len(listed.stdout.splitlines()) == 117


def test_releases_json_shape(full_store):
    result = run_cli("--db", str(full_store), "releases", "--format", "json")
    assert result.returncode == 0
    listed = json.loads(result.stdout)
    assert list(listed) == ["releases", "drug_quarters"]
    releases = listed["releases"]
    assert [r["release"] for r in releases] == BUNDLED_LABELS
    for release in releases:
        assert list(release) == [
            "release",
            "effective_date",
            "sources",
            "procedures",
            "modifiers",
            "loaded_at",
            "corrections",
            "files",
            "anomalies",
        ]
        assert all(set(source) == {"file", "sha256"} for source in release["sources"])
    table = run_cli("--db", str(full_store), "releases")
    assert "2019-Alpha-Numeric-HCPCS-File.zip" in table.stdout


def test_export_gives_back_every_field_as_the_file_has_it(full_store, tmp_path):
    out = tmp_path / "2020-01.jsonl"
    result = run_cli("--db", str(full_store), "export", "--format", "jsonl", "--release", "2020-01", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"2020-01: 7079 records written to {out}"
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    parsed = read_text(zip_member(ZIP_2020, "HCPC2020_ANWEB_w_disclaimer.txt"), "t", "2020-01").records
    assert exported == [record.to_dict() for record in parsed]
    assert all(list(row) == list(FIELD_NAMES) for row in exported)


def test_export_to_stdout_round_trips_through_the_store(full_store):
    result = run_cli("--db", str(full_store), "export", "--release", "2020-10", "--out", "-")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    with Store(full_store) as store:
        assert [json.loads(line) for line in lines] == [r.to_dict() for r in store.records("2020-10")]


def test_unknown_release_is_a_clean_error(full_store):
    result = run_cli("--db", str(full_store), "export", "--release", "2031-01")
    assert result.returncode == 2
    assert result.stderr.startswith("error: release '2031-01' is not in the store (stored: 2019-01, ")
    assert "Traceback" not in result.stderr


def test_missing_store_is_a_clean_error(tmp_path):
    result = run_cli("--db", str(tmp_path / "none.sqlite"), "releases")
    assert result.returncode == 2
    assert "no store there" in result.stderr and len(result.stderr.splitlines()) == 1


def test_default_store_is_built_once_from_the_bundled_releases(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HCPCS_DB": ""}
    first = run_cli("releases", "--format", "json", env=env)
    assert first.returncode == 0, first.stderr
    store = tmp_path / "data" / "hcpcs" / "hcpcs.sqlite"
    assert store.is_file()
    assert [r["release"] for r in json.loads(first.stdout)["releases"]] == BUNDLED_LABELS
    stamp = store.stat().st_mtime_ns
    second = run_cli("releases", "--format", "json", env=env)
    assert second.stdout == first.stdout
    assert store.stat().st_mtime_ns == stamp
    # Nothing left but the store (and SQLite's own -wal/-shm beside it, in WAL mode).
    assert not [
        p for p in store.parent.iterdir() if p.name not in ("hcpcs.sqlite", "hcpcs.sqlite-wal", "hcpcs.sqlite-shm")
    ]


def test_hcpcs_db_environment_variable_chooses_the_store(full_store):
    result = run_cli("releases", "--format", "json", env={"HCPCS_DB": str(full_store)})
    assert len(json.loads(result.stdout)["releases"]) == len(BUNDLED_LABELS)


def test_help_and_module_entry_point():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("load", "releases", "export", "warnings"):
        assert command in result.stdout


def test_reading_commands_do_not_import_heavy_libraries(full_store):
    """Start-up stays fast: workbook, ingest and pydantic code load only where they are used."""
    script = (
        "import sys\n"
        "from hcpcs.cli import main\n"
        f"sys.argv = ['hcpcs', '--db', {str(full_store)!r}, 'releases', '--format', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('python_calamine', 'hcpcs.ingest', 'pydantic') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in result.stderr, result.stderr
