"""Every official release loads as CMS ships it: the 2026 zip member by member, CMS's quirks as
data, misfit values kept raw, damage refused, and answers that say how current they are."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from hcpcs.errors import InputError
from hcpcs.history.currency import quarter_end
from hcpcs.ingest.fixed_width import read_text
from hcpcs.ingest.release import read_releases
from hcpcs.ingest.workbook import read_workbook
from hcpcs.model import FIELD_NAMES
from hcpcs.store import Store

from conftest import BUNDLED, BUNDLED_LABELS, QUARTERS, ZIP_2020, make_zip, run_cli, zip_member

ZIP_2026 = Path(__file__).parent / "data" / "cms" / "january-2026-alpha-numeric-hcpcs-file.zip"
TEXT_2026 = "HCPC2026_JAN_ANWEB_01122026.txt"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def shipped_2026() -> bytes:
    return zip_member(ZIP_2026, TEXT_2026)


# -- the 2026 zip as CMS ships it ------------------------------------------------------------------


def test_the_2026_zip_loads_as_shipped_every_member_read_or_listed(tmp_path):
    store_path = tmp_path / "s.sqlite"
    result = run_cli("--db", str(store_path), "load", "--format", "json", str(ZIP_2026))
    assert result.returncode == 0, result.stderr
    (loaded,) = json.loads(result.stdout)
    assert (loaded["release"], loaded["procedures"], loaded["modifiers"]) == ("2026-01", 8623, 383)
    assert loaded["corrections"] == 5 and loaded["anomalies"] == 0 and loaded["ignored"] == []
    with Store(store_path) as store:
        roles = {m["file"].split("/", 1)[1]: m["role"] for m in store.members("2026-01")}
        assert roles == {
            TEXT_2026: "text",
            "HCPC2026_JAN_ANWEB_01122026.xlsx": "workbook",
            "HCPC2026_JAN_ANWEB_Corrections_01122026.xlsx": "corrections",
            "HCPC2026_JAN_ANWEB_Transaction Report_12292025.xlsx": "changes",
            "HCPC2026_recordlayout.txt": "layout",
            "NOC codes_JAN2026.xlsx": "noc",
            "proc_notes_JAN2026.txt": "notes",
        }
        assert len(store.noc_codes("2026-01")) == 166
        assert store.processing_notes("2026-01")["0088"].startswith('"S" CODES ARE UNIQUE')
        assert len(store.change_report("2026-01")) == 9011
        # The workbook leaves 117 action effective dates empty and lists C9248's second pricing indicator.
        disagreements = store.load_warnings("2026-01")
        assert len(disagreements) == 118
        assert any(
            "C9248 pricing_indicators is ['53', '11'] in the workbook, ['53'] in the text" in w for w in disagreements
        )
        corrections = store.corrections("2026-01")
        assert [(c["code"], c["action"]) for c in corrections] == [
            ("S0189", "Terminate"),
            ("J2516", "Revise TOS"),
            ("J1572", "Do not terminate"),
            ("J3365", "The xref code has been removed"),
            ("G2076", "Add date s/b 1/1/2020"),
        ]
        page = store.get("J2516", "2026-01")
        assert "CMS correction of 2026-01-12 to release 2026-01: Revise TOS (TOS: 1,P; effective 2026-01-01)" in (
            page.notices
        )
        # The modifiers sit right-aligned in the code field ('   A1'); G9871's line runs to 546
        # characters of spaces; the last line is 296 spaces: all CMS's, all loaded.
        assert store.record("A1", "2026-01").long_description == "Dressing for one wound"
        assert store.record("G9871", "2026-01") is not None
    table = run_cli("--db", str(store_path), "releases")
    assert "J2516" in table.stdout and "Revise TOS" in table.stdout


def test_the_2026_text_file_quirks_are_in_the_real_file(shipped_2026):
    lines = shipped_2026.split(b"\r\n")
    assert lines[0].startswith(b"   A1001007")
    assert max(len(line) for line in lines) == 546 and lines[-2] == b" " * 296
    records = read_text(shipped_2026, TEXT_2026).records
    assert len(records) == 9006 and records[0].code == "A1"


def test_the_bundled_lean_2026_stands_for_cms_zip(tmp_path, monkeypatch):
    """The package keeps the 2026 zip without its workbook; the default store records CMS's zip as
    the source, so loading the real zip into it changes nothing."""
    manifest = json.loads((BUNDLED / "MANIFEST.json").read_text())
    entry = next(e for e in manifest["releases"] if e["release"] == "2026-01")
    assert entry["derived_from"]["sha256"] == digest(ZIP_2026)
    (left_out,) = entry["derived_from"]["left_out"]
    with zipfile.ZipFile(ZIP_2026) as shipped, zipfile.ZipFile(BUNDLED / entry["files"][0]["file"]) as lean:
        assert sorted(lean.namelist()) == sorted(set(shipped.namelist()) - {left_out["member"]})
        for name in lean.namelist():
            assert lean.read(name) == shipped.read(name)
        assert hashlib.sha256(shipped.read(left_out["member"])).hexdigest() == left_out["sha256"]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("HCPCS_DB", raising=False)
    result = run_cli("load", "--format", "json", str(ZIP_2026))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["status"] == "unchanged"


# -- quirks are data ------------------------------------------------------------------------------


def _lines(text: bytes) -> list[bytes]:
    return text.split(b"\r\n")


def test_left_aligned_modifiers_and_a_trailing_disclaimer_load(text_2020):
    lines = _lines(text_2020)
    left = [line[3:5] + b"   " + line[5:] if line[10:11] in (b"7", b"8") else line for line in lines]
    data = b"\r\n".join(left) + b"\r\n\r\n***Disclaimer: CMS does not warrant...\r\nEnd of file\r\n"
    parsed = read_text(data, "HCPC2020_ANWEB.txt", "2020-01")
    assert [r.to_dict() for r in parsed.records] == [r.to_dict() for r in read_text(text_2020, "t", "2020-01").records]
    assert any("lines after the last record are not records" in note for note in parsed.notes)


def test_a_non_record_line_between_records_is_refused(text_2020):
    lines = _lines(text_2020)
    at = next(i for i, line in enumerate(lines) if line.startswith(b"S9329001003"))
    lines.insert(at, b"this is not a record")
    with pytest.raises(InputError, match=rf"t.txt:{at + 1}: not a HCPCS record"):
        read_text(b"\r\n".join(lines), "t.txt", "2020-01")


@pytest.mark.parametrize("byte", [b"\x85", b"\x0b", b"\x0c", b"\x1c"])
def test_control_bytes_inside_a_description_do_not_split_the_record(text_2020, byte):
    lines = _lines(text_2020)
    at = next(i for i, line in enumerate(lines) if line.startswith(b"S9329001003"))
    lines[at] = lines[at][:20] + byte + lines[at][21:]
    changed = {r.code: r for r in read_text(b"\r\n".join(lines), "t.txt", "2020-01").records}
    assert len(changed) == 7079
    assert (
        changed["S9329"].long_description.startswith("Home infu") and "ion therapy" in changed["S9329"].long_description
    )
    # A damage after it is still reported on its own line number.
    lines.insert(at + 3, lines[at])
    with pytest.raises(InputError, match=rf"t.txt:{at + 4}: code S9329 appears twice \(first at line {at + 1}\)"):
        read_text(b"\r\n".join(lines), "t.txt", "2020-01")


def test_utf8_descriptions_read_as_text(text_2020):
    records = {r.code: r for r in read_text(text_2020, "t", "2020-01").records}
    lines = _lines(text_2020)
    at = next(i for i, line in enumerate(lines) if line.startswith(b"S9329001003"))
    original = lines[at]
    # Columns counted in characters: 'Café' for 'Home', the line one byte longer (321 bytes).
    lines[at] = original[:11] + "Café".encode() + original[15:]
    parsed = read_text(b"\r\n".join(lines), "t.txt", "2020-01")
    s9329 = next(r for r in parsed.records if r.code == "S9329")
    assert s9329.long_description.startswith("Café infusion")
    assert s9329.to_dict() | {"long_description": None} == records["S9329"].to_dict() | {"long_description": None}
    assert parsed.notes == [f"t.txt:{at + 1}: UTF-8 text in a Windows-1252 file; read as UTF-8"]
    # Columns counted in bytes: 'Café' (5 bytes) for 'Home ', the line still 320 bytes.
    lines[at] = original[:11] + "Café".encode() + original[16:]
    s9329 = next(r for r in read_text(b"\r\n".join(lines), "t.txt", "2020-01").records if r.code == "S9329")
    assert s9329.long_description.startswith("Caféinfusion")
    assert s9329.to_dict() | {"long_description": None} == records["S9329"].to_dict() | {"long_description": None}


def test_two_text_files_of_one_release_read_one_and_say_so(text_2020, tmp_path):
    with_disclaimer = b"***Disclaimer: the notice CMS puts first\r\n" + text_2020
    bad = make_zip(
        tmp_path / "2020-Alpha-Numeric-HCPCS-File.zip",
        {"HCPC2020_CONTR_ANWEB.txt": text_2020, "HCPC2020_CONTR_ANWEB_disc.txt": with_disclaimer},
    )
    (data,) = read_releases([bad])
    assert data.label == "2020-01" and len(data.records) == 7079
    notes = [w for w in data.warnings if "the same records" in w]
    assert len(notes) == 1 and [m.read for m in data.members].count(False) == 1


# -- misfit values: kept raw, warned, --strict refuses ----------------------------------------------


def _misplaced_asc_date(text: bytes) -> tuple[bytes, int]:
    """C9488's kind of anomaly (2018): the ASC date 20170401 written two columns early, so the
    group field (231-232) holds '20' and the date field (233-240) '170401  '."""
    lines = _lines(text)
    at = next(i for i, line in enumerate(lines) if line.startswith(b"S9329001003"))
    line = lines[at]
    lines[at] = line[:230] + b"20170401  " + line[240:]
    return b"\r\n".join(lines), at + 1


def test_a_misplaced_date_loads_null_with_its_raw_text(store_2020, text_2020, tmp_path):
    data, line = _misplaced_asc_date(text_2020)
    bad = tmp_path / "HCPC2020_APR_ANWEB.txt"
    bad.write_bytes(data)
    before = digest(store_2020)
    strict = run_cli("--db", str(store_2020), "load", "--strict", str(bad))
    message = f"{bad.name}:{line}: asc_effective_date: '170401' is not a date in YYYYMMDD form"
    assert strict.returncode == 2 and strict.stderr.strip() == f"error: {message}"
    assert digest(store_2020) == before
    loaded = run_cli("--db", str(store_2020), "load", str(bad))
    assert loaded.returncode == 0, loaded.stderr
    assert f"warning: {message}" in loaded.stderr.splitlines()
    with Store(store_2020) as store:
        record = store.record("S9329", "2020-04")
        assert record.asc_effective_date is None and record.asc_group == "20"
        (anomaly,) = store.anomalies("2020-04")
        assert (anomaly["code"], anomaly["field"], anomaly["raw"], anomaly["place"]) == (
            "S9329", "asc_effective_date", "170401", str(line)
        )  # fmt: skip
        page = store.get("S9329", "2020-04")
        assert page.anomalies == [anomaly]
        assert any("CMS's file has '170401'" in notice for notice in page.notices)
    listed = run_cli("--db", str(store_2020), "warnings", "2020-04")
    assert listed.stdout.startswith(f"{message} (code S9329: field left blank)")


def test_many_misfits_mean_the_file_does_not_follow_the_layout(text_2020):
    lines = _lines(text_2020)
    shifted = [line[:268] + b"X" + line[269:] if line[10:11] == b"3" else line for line in lines]
    with pytest.raises(InputError, match="values do not fit their fields .* does not follow the HCPCS record layout"):
        read_text(b"\r\n".join(shifted), "t.txt", "2020-01")


# -- a folder reports every release -------------------------------------------------------------------


def test_a_folder_with_a_good_and_a_damaged_release(tmp_path, text_2020):
    folder = tmp_path / "cms"
    (folder / "2020-07").mkdir(parents=True)
    for source in QUARTERS["2020-07"].iterdir():
        (folder / "2020-07" / source.name).write_bytes(source.read_bytes())
    lines = _lines(text_2020)
    at = next(i for i, line in enumerate(lines) if line.startswith(b"S9329001003"))
    lines.insert(at + 2, lines[at])
    (folder / "HCPC2020_ANWEB.txt").write_bytes(b"\r\n".join(lines))
    store_path = tmp_path / "s.sqlite"
    result = run_cli("--db", str(store_path), "load", str(folder))
    assert result.returncode == 2
    assert "2020-07" in result.stdout and "loaded" in result.stdout
    assert f"error: 2020-01 refused: cms/HCPC2020_ANWEB.txt:{at + 3}: code S9329 appears twice" in result.stderr
    assert "Traceback" not in result.stderr
    with Store(store_path) as store:
        assert store.release_labels() == ["2020-07"]


def test_bounded_inputs(tmp_path, monkeypatch):
    import os

    from hcpcs.ingest import sources

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    (tmp_path / "empty").mkdir()
    for path, problem in (
        (fifo, "not a regular file"),
        (Path("/dev/zero"), "not a regular file"),
        (loop, "a symbolic link loop"),
        (tmp_path / "empty", "the folder holds no files"),
    ):
        result = run_cli("--db", str(tmp_path / "s.sqlite"), "load", str(path))
        assert result.returncode == 2 and result.stderr.startswith(f"error: {path}: {problem}"), result.stderr
        assert len(result.stderr.splitlines()) == 1
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 2_000_000)
    with pytest.raises(InputError, match="inflates to 2,771,202 bytes"):
        sources.find_files([ZIP_2020])
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("x.txt", b"x")
    nested = inner.getvalue()
    for depth in range(4):
        nested = make_zip(tmp_path / f"n{depth}.zip", {f"n{depth}.zip": nested}).read_bytes()
    with pytest.raises(InputError, match="zips nested more than 3 deep"):
        sources.find_files([tmp_path / "n3.zip"])


# -- new releases and their diffs ---------------------------------------------------------------------


def _records_from_files(label: str) -> dict[str, dict]:
    """A bundled release's records read straight from its CMS file (not through the store)."""
    folder = BUNDLED / label
    (path,) = [p for p in folder.iterdir() if "anweb" in p.name.lower() or p.suffix == ".zip"]
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            (text,) = [n for n in archive.namelist() if "ANWEB" in n and n.endswith(".txt")]
            records = read_text(archive.read(text), text).records
    else:
        records = read_workbook(path.read_bytes(), path.name).records
    return {r.code: r.to_dict() for r in records}


@pytest.mark.parametrize("old, new", [("2020-10", "2025-01"), ("2025-01", "2026-01"), ("2026-01", "2026-07")])
def test_diffs_of_the_new_releases_equal_the_files(full_store, old, new):
    before, after = _records_from_files(old), _records_from_files(new)
    skipped = {"code", "release", "action_code", "action_effective_date"}
    changed = {}
    for code in sorted(set(before) & set(after)):
        fields = {n: [before[code][n], after[code][n]] for n in FIELD_NAMES if n not in skipped}
        fields = {n: v for n, v in fields.items() if v[0] != v[1]}
        if fields:
            changed[code] = fields
    with Store(full_store) as store:
        result = store.diff(old, new).to_dict()
    assert result == {
        "from": old,
        "to": new,
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": changed,
    }
    assert result["added"] and result["changed"]


def test_codes_of_2021_to_2026_are_found(full_store):
    for code in ("A4239", "E2103", "M0201", "J2516", "A4295"):
        shown = run_cli("--db", str(full_store), "show", code, "--format", "json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["release"] == "2026-07"
    found = run_cli("--db", str(full_store), "search", "hydrophilic coude", "--format", "json")
    assert "A4296" in [hit["code"] for hit in json.loads(found.stdout)["results"]]


# -- answers say how current they are -----------------------------------------------------------------


def test_each_release_covers_up_to_the_next_and_the_newest_its_quarter(full_store):
    with Store(full_store) as store:
        assert store.currency("2020-05-15").covers_until == "2020-06-30"
        assert store.currency("2020-12-01").covers_until == "2024-12-31"
        newest = store.currency("2026-08-01")
        assert (newest.release, newest.covers_until, newest.beyond_latest_release) == ("2026-07", "2026-09-30", False)
        past = store.currency("2030-01-01")
        assert past.release == "2026-07" and past.beyond_latest_release
        assert "newest stored release is 2026-07" in past.message
    assert quarter_end("2026-07") == "2026-09-30" and quarter_end("2024-02") == "2024-03-31"


def test_a_date_past_the_data_is_answered_and_says_so(full_store):
    shown = run_cli("--db", str(full_store), "show", "S9329", "--on", "2030-01-01", "--format", "json")
    assert shown.returncode == 0
    page = json.loads(shown.stdout)
    assert page["release"] == "2026-07" and page["currency"]["beyond_latest_release"] is True
    assert shown.stderr.startswith("warning: 2030-01-01 is past the stored data: the newest stored release is 2026-07")
    assert "hcpcs load" in shown.stderr
    current = run_cli("--db", str(full_store), "show", "S9329", "--on", "2026-08-01")
    assert current.returncode == 0 and "warning" not in current.stderr
    found = run_cli("--db", str(full_store), "search", "walker", "--on", "2031-02-03", "--format", "json")
    assert json.loads(found.stdout)["currency"]["beyond_latest_release"] is True
    assert found.stderr.startswith("warning: 2031-02-03 is past the stored data")


def test_a_later_release_that_changed_the_answer_is_named(full_store):
    with Store(full_store) as store:
        then = store.get("C9034", on="2019-06-01")
        assert (then.release, then.status) == ("2019-01", "Actual")
        assert then.revised_later["release"] == "2020-01" and then.revised_later["status"] == "Terminated"
        now = store.get("C9034", on="2019-06-01", as_known_now=True)
        assert (now.release, now.status) == (BUNDLED_LABELS[-1], "Terminated")
        assert store.is_valid("C9034", "2019-06-01") and not store.is_valid("C9034", "2019-06-01", as_known_now=True)
    shown = run_cli("--db", str(full_store), "show", "C9034", "--on", "2019-06-01")
    assert "note: release 2020-01 changed this answer after the fact" in shown.stderr
    known = run_cli(
        "--db", str(full_store), "show", "C9034", "--on", "2019-06-01", "--as-known-now", "--format", "json"
    )
    assert json.loads(known.stdout)["status"] == "Terminated" and "note:" not in known.stderr


# -- the default store ----------------------------------------------------------------------------------


def _rows(path: Path) -> dict[str, list]:
    import sqlite3

    connection = sqlite3.connect(path)
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    dump = {}
    for table in tables:
        if table.startswith("codes_fts"):
            continue
        columns = [r[1] for r in connection.execute(f"PRAGMA table_info({table})") if r[1] != "loaded_at"]
        dump[table] = sorted(connection.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
    dump["fts"] = connection.execute("SELECT count(*) FROM codes_fts WHERE codes_fts MATCH 'oxygen'").fetchall()
    connection.close()
    return dump


def test_the_shipped_default_store_equals_a_fresh_build(tmp_path):
    """The prebuilt snapshot is only trusted because it is exactly what the bundled files build."""
    from hcpcs.defaults import load_everything_bundled
    from hcpcs.snapshot import install_snapshot, snapshot_usable

    assert snapshot_usable(), "run tools/build_default_store.py: the snapshot is older than the package"
    installed = tmp_path / "installed.sqlite"
    install_snapshot(installed)
    fresh = tmp_path / "fresh.sqlite"
    with Store(fresh, write=True) as store:
        load_everything_bundled(store, BUNDLED_LABELS)
    assert _rows(installed) == _rows(fresh)


def test_a_quarterly_zip_is_one_release_whatever_its_side_files_are_named(text_2020, tmp_path):
    """CMS reuses files across a year's zips (proc_notes_JAN2026.txt in a later quarter): a zip
    ships one release, the one its record file names; a side file that does not read is skipped."""
    notes = zip_member(ZIP_2020, "proc_notes_2020.txt")
    quarter = make_zip(
        tmp_path / "april-2026-alpha-numeric-hcpcs-file.zip",
        {
            "HCPC2026_APR_ANWEB.txt": text_2020,
            "proc_notes_JAN2026.txt": notes,
            "NOC codes_JAN2026.txt": b"a NOC list CMS reshaped\r\n",
            "HCPC2026_APR_recordlayout.pdf": b"%PDF-1.4",
        },
    )
    (data,) = read_releases([quarter])
    assert data.label == "2026-04" and len(data.notes) > 200 and data.noc == []
    assert any("NOC codes_JAN2026.txt: no NOC codes found" in w and "loads without it" in w for w in data.warnings)
    with pytest.raises(InputError, match="no NOC codes found"):
        read_releases([quarter], strict=True)


def test_a_corrections_zip_alone_is_added_to_its_stored_release(tmp_path):
    from conftest import ZIP_2019

    store_path = tmp_path / "s.sqlite"
    assert run_cli("--db", str(store_path), "load", str(ZIP_2019)).returncode == 0
    corrections = BUNDLED / "2019-01" / "2019-HCPCS-Alpha-Numeric-Corrections.zip"
    added = run_cli("--db", str(store_path), "load", "--format", "json", str(corrections))
    assert added.returncode == 0, added.stderr
    (result,) = json.loads(added.stdout)
    assert (result["status"], result["corrections"]) == ("supplemented", 14)
    again = run_cli("--db", str(store_path), "load", "--format", "json", str(corrections))
    assert json.loads(again.stdout)[0]["status"] == "unchanged"
    with Store(store_path) as store:
        assert [c["action"] for c in store.corrections("2019-01", "C1890")] == ["ADD CODE", 'Add "YY" ASC Ind']
    alone = run_cli("--db", str(tmp_path / "empty.sqlite"), "load", str(corrections))
    assert alone.returncode == 2
    assert "the store has no release 2019-01 to add these files to" in alone.stderr


def test_a_claim_line_past_the_data_is_judged_and_warned(full_store):
    from hcpcs.claims.rules import WARNINGS

    assert "beyond_latest_release" in WARNINGS
    with Store(full_store) as store:
        inside = store.check_line("E0431", "2026-09-30")
        past = store.check_line("E0431", "2026-10-01")
        ended = store.check_line("A4466", "2027-02-01")
    assert (inside["status"], inside["issues"], inside["release"]) == ("ok", "", "2026-07")
    assert (past["status"], past["issues"], past["release"]) == ("warning", "beyond_latest_release", "2026-07")
    assert ended["status"] == "error" and {"beyond_latest_release", "terminated"} <= set(ended["issues"].split(";"))


def test_update_without_a_network_says_where_the_files_are(store_2020):
    # A closed port on the loopback interface stands in for a machine without a network.
    result = run_cli("--db", str(store_2020), "update", "--from", "http://127.0.0.1:9/hcpcs")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "cannot download" in result.stderr and "cms.gov" in result.stderr and "hcpcs load FILE.zip" in result.stderr


def test_the_api_says_how_current_and_answers_as_known_now(client):
    past = client.get("/api/v1/codes/S9329", params={"on": "2030-01-01"}).json()
    assert past["release"] == "2026-07" and past["currency"]["beyond_latest_release"] is True
    then = client.get("/api/v1/codes/C9034", params={"on": "2019-06-01"}).json()
    assert then["status"] == "Actual" and then["revised_later"]["release"] == "2020-01"
    now = client.get("/api/v1/codes/C9034", params={"on": "2019-06-01", "as_known_now": "true"}).json()
    assert now["status"] == "Terminated" and now["as_known_now"] is True and now["revised_later"] is None
    found = client.get("/api/v1/search", params={"q": "walker", "on": "2030-01-01"}).json()
    assert found["currency"]["beyond_latest_release"] is True
