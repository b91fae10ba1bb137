"""Claim-line validation on the bundled releases: every rule, the three formats, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from hcpcs.claims import validate
from hcpcs.store import Store

from conftest import run_cli

# (claim, line, code, modifiers, date of service) -> the issues and replacement expected.
LINES = [
    ("1", "1", "S9329", "", "2020-05-01", "conflicting_codes;medicare_not_payable", ""),  # "do not use with s9330"
    ("1", "2", " s9330 ", "RR,LT", "2020-05-01", "conflicting_codes;medicare_not_payable", ""),
    ("1", "3", "E0431", "NU;KX 59", "2020-05-01", "", ""),  # 59 is a Level I modifier: not checked
    ("2", "1", "A4466", "", "2020-06-01", "medicare_not_payable;terminated", "A4467"),
    ("2", "2", "C9053", "", "2020-03-31", "not_yet_effective", ""),  # added 2020-04-01
    ("2", "3", "S9330", "", "2020-06-01", "medicare_not_payable", ""),  # S9329 is on claim 1, not 2
    ("3", "1", "99213", "25", "2020-01-01", "level_i_not_checked", ""),
    ("3", "2", "0001F", "", "2020-01-01", "level_i_not_checked", ""),
    ("4", "1", "ZZ999", "", "2020-01-01", "unknown_code", ""),
    ("5", "1", "S93#9", "", "2020-01-01", "malformed_code", ""),
    ("6", "1", "J3490", "", "2019-06-01", "noc_requires_description", ""),
    ("7", "1", "E0431", "ZZ", "2020-13-01", "bad_date;unknown_modifier", ""),
    ("7", "2", "E0431", "J5", "2020-05-01", "not_yet_effective_modifier", ""),  # J5 starts 2020-10-01
    ("7", "3", "E0431", "LT RT QJ RR NU", "2020-05-01", "too_many_modifiers", ""),
    ("8", "1", "S9364", "", "2020-02-01", "conflicting_codes;medicare_not_payable", ""),  # "s9365-s9368": a range
    ("8", "2", "S9366", "", "2020-02-01", "conflicting_codes;medicare_not_payable", ""),
    ("8", "3", "S9329", "", "2020-02-02", "medicare_not_payable", ""),  # another date of service
]
STATUS = {"": "ok"}


def frame() -> pl.DataFrame:
    rows = [
        dict(zip(("claim_id", "line", "code", "modifiers", "date_of_service"), row[:5], strict=True)) for row in LINES
    ]
    return pl.DataFrame(rows).with_columns(pl.lit("kept").alias("note"))


@pytest.fixture(scope="module")
def store(full_store):
    with Store(full_store) as opened:
        yield opened


@pytest.fixture(scope="module")
def checked(store):
    return validate(frame(), store)


def test_every_rule(checked):
    assert checked.height == len(LINES)
    for row, expected in zip(checked.iter_rows(named=True), LINES, strict=True):
        assert (row["issues"], row["replacement"]) == expected[5:], row
        errors = any(issue not in ("medicare_not_payable", "noc_requires_description", "level_i_not_checked")
                     for issue in row["issues"].split(";") if issue)  # fmt: skip
        assert row["status"] == ("error" if errors else "warning" if row["issues"] else "ok")
        assert row["note"] == "kept"  # extra columns pass through


def test_enrichment_and_release_by_the_as_of_rule(checked):
    first = checked.row(0, named=True)
    assert first["release"] == "2020-04"  # in effect on 2020-05-01
    assert (first["betos"], first["betos_description"]) == ("Z2", "Undefined codes")
    assert (first["coverage"], first["coverage_description"]) == ("I", "Not payable by Medicare")
    assert first["category"] == "Temporary national codes (non-Medicare)"
    assert checked.row(10, named=True)["release"] == "2019-01"  # 2019-06-01
    assert checked.row(4, named=True)["release"] == "2020-04"  # before its release: the earliest that holds it


def test_modifiers_on_the_date_of_service(store):
    # GD was in force until 2019-12-31; ZQ was never a modifier; 59 is Level I (not checked).
    assert store.check_line("E0431", "2019-06-01", "GD")["issues"] == ""
    assert store.check_line("E0431", "2020-05-01", "GD")["issues"] == "terminated_modifier"
    assert store.check_line("E0431", "2020-05-01", "zq, 59")["issues"] == "unknown_modifier"
    assert store.check_line("E0431", "2020-05-01", "QJ;RR")["status"] == "ok"
    # J5 starts 2020-10-01: before that it is not yet effective, which is not terminated.
    assert store.check_line("E0431", "2020-05-01", "J5")["issues"] == "not_yet_effective_modifier"
    assert store.check_line("E0431", "2020-10-01", "J5")["issues"] == ""
    # Four modifier places a line (837P/837I, CMS-1500); more is an error, the first four are checked.
    assert store.check_line("E0431", "2020-05-01", "QJ RR LT RT")["status"] == "ok"
    assert store.check_line("E0431", "2020-05-01", "QJ RR LT RT GD")["issues"] == "too_many_modifiers"
    both = store.check_line("E0431", "2020-05-01", "GD RR LT RT QJ")
    assert (both["status"], both["issues"]) == ("error", "terminated_modifier;too_many_modifiers")
    assert store.check_line("E0431", "2020-05-01", "1P 25")["status"] == "ok"  # CPT modifiers pass unchecked


def test_a_line_with_5000_modifiers_is_one_error_in_flat_memory(tmp_path, full_store):
    """Only the first four places are looked up, so time and memory do not grow with the count
    (before the cap: 88 s and 16.6 GB for this line)."""
    source, out = tmp_path / "claims.csv", tmp_path / "checked.jsonl"
    few, many = " ".join(["LT"] * 4), " ".join(["LT"] * 5000)
    source.write_text(f"claim_id,line,code,modifiers,date_of_service\n1,1,E0431,{few},2020-05-01\n"
                      f"1,2,E0431,{many},2020-05-01\n")  # fmt: skip
    script = (
        "import sys, time, hcpcs\n"
        "from hcpcs.claims.polars_engine import validate_file\n"
        "started = time.perf_counter()\n"
        "with hcpcs.Store(sys.argv[1]) as store:\n"
        "    validate_file(store, sys.argv[2], sys.argv[3])\n"
        "peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "print(time.perf_counter() - started, peak // 1024)\n"
    )
    ran = subprocess.run([sys.executable, "-c", script, str(full_store), str(source), str(out)],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    seconds, peak_mb = map(float, ran.stdout.split())
    assert seconds < 20 and peak_mb < 1000
    assert [json.loads(line)["issues"] for line in out.read_text().splitlines()] == ["", "too_many_modifiers"]


def test_pandas_in_pandas_out(store):
    pandas = pytest.importorskip("pandas")
    result = validate(frame().to_pandas(), store)
    assert isinstance(result, pandas.DataFrame)
    assert list(result["issues"]) == [row[5] for row in LINES]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_cli_formats_round_trip(tmp_path, full_store, suffix):
    source = tmp_path / f"claims{suffix}"
    out = tmp_path / f"checked{suffix}"
    {".csv": frame().write_csv, ".parquet": frame().write_parquet, ".jsonl": frame().write_ndjson}[suffix](source)
    result = run_cli("--db", str(full_store), "validate", str(source), "--out", str(out))
    assert result.returncode == 1  # some lines have errors
    errors = sum(1 for row in LINES if set(row[5].split(";")) - {"", "medicare_not_payable", "noc_requires_description",
                                                                "level_i_not_checked"})  # fmt: skip
    ok = sum(1 for row in LINES if not row[5])
    warnings = len(LINES) - errors - ok
    assert result.stderr.strip() == f"{len(LINES)} lines: {ok} ok, {warnings} warning, {errors} error"
    read = {".csv": lambda p: pl.read_csv(p, infer_schema=False), ".parquet": pl.read_parquet, ".jsonl": pl.read_ndjson}
    written = read[suffix](out)
    assert [issue or "" for issue in written["issues"].to_list()] == [row[5] for row in LINES]


def test_clean_file_exits_zero(tmp_path, full_store):
    source = tmp_path / "ok.csv"
    frame().filter(pl.col("line") == "3").head(1).write_csv(source)
    result = run_cli("--db", str(full_store), "validate", str(source), "--format", "jsonl")
    assert result.returncode == 0
    assert json.loads(result.stdout.splitlines()[0])["status"] == "ok"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"claim_id,line,code\n1,1,E0431\n", "missing column(s) modifiers, date_of_service"),
        (b"claim_id,line,code,modifiers,date_of_service,status\n1,1,E0431,,2020-01-01,x\n", "would be overwritten"),
        (
            b'claim_id,line,code,modifiers,date_of_service\n1,1,E0431,,2020-01-01\n1,2,E0431,"a\nb",2020-01-01\n'
            b"1,3,E0431,,2020-01-01,x,y\n",
            "claims.csv:5: 7 fields where the header has 5",
        ),
    ],
)
def test_bad_files(tmp_path, full_store, content, message):
    source = tmp_path / "claims.csv"
    source.write_bytes(content)
    result = run_cli("--db", str(full_store), "validate", str(source), "--out", str(tmp_path / "checked.parquet"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: claims.csv") and message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["claims.csv"]  # no output, not even half of one


def test_huge_field_and_mixed_encodings(tmp_path, full_store):
    source = tmp_path / "claims.csv"
    source.write_bytes(
        b"claim_id,line,code,modifiers,date_of_service,comment\n"
        + b"1,1,E0431,,2020-05-01,"
        + b"x" * 1_000_000
        + b"\n"
        + "1,2,E0431,,2020-05-01,café\n".encode()
        + "1,3,E0431,,2020-05-01,café\n".encode("latin-1")
    )
    result = run_cli("--db", str(full_store), "validate", str(source), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["status"] for row in rows] == ["ok", "ok", "ok"]
    assert len(rows[0]["comment"]) == 1_000_000


def test_streams_a_large_file_in_order_and_finds_pairs_far_apart(tmp_path, full_store, store):
    """Lines go through in batches; a forbidden pair split between the file's first and last
    lines is still found, and the output keeps the input order."""
    codes = [code for code in store.codes("2020-10") if len(code) == 5 and code[0] in "AEJ"]
    count = 200_000
    lines = pl.DataFrame(
        {
            "claim_id": [str(n // 4) for n in range(count)],
            "line": [str(n) for n in range(count)],
            "code": [codes[n % len(codes)] for n in range(count)],
            "modifiers": ["" for _ in range(count)],
            "date_of_service": ["2020-11-02" for _ in range(count)],
        }
    )
    lines = lines.with_columns(
        pl.when(pl.col("line").is_in(["0", str(count - 1)])).then(pl.lit("pair")).otherwise("claim_id")
        .alias("claim_id"),
        pl.when(pl.col("line") == "0").then(pl.lit("S9329"))
        .when(pl.col("line") == str(count - 1)).then(pl.lit("S9330"))
        .otherwise("code").alias("code"),
    )  # fmt: skip
    source, out = tmp_path / "many.csv", tmp_path / "checked.csv"
    lines.write_csv(source)
    result = run_cli("--db", str(full_store), "validate", str(source), "--out", str(out))
    assert result.returncode in (0, 1), result.stderr
    checked = pl.read_csv(out, infer_schema=False)
    assert checked["line"].to_list() == lines["line"].to_list()
    flagged = checked.filter(pl.col("issues").str.contains("conflicting_codes"))
    assert flagged["line"].to_list() == ["0", str(count - 1)]


def test_csv_is_read_in_pieces_that_end_on_record_boundaries(tmp_path):
    """Quoted fields with commas, quotes and newlines survive being cut into small pieces."""
    import csv

    from hcpcs.claims.files import csv_blocks, scan_csv_blocks

    source = tmp_path / "claims.csv"
    with source.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["claim_id", "line", "code", "modifiers", "date_of_service", "comment"])
        for n in range(500):
            comment = 'see "note",\nline two' * (n % 7) if n % 3 else "plain"
            writer.writerow([str(n // 3), str(n), "E0431", "RR, LT", "2020-05-01", comment])
    pieces = list(csv_blocks(source, 97))
    assert len(pieces) > 100 and b"".join(pieces) == source.read_bytes()
    whole = pl.read_csv(source, infer_schema=False)
    assert scan_csv_blocks(source, 97).collect().equals(whole)
    assert scan_csv_blocks(source, 97).select("comment", "line").collect().equals(whole.select("comment", "line"))
