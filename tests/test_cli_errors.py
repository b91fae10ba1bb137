"""Mistakes at the command line, answered in one voice: one `error:` line, exit status 2; and a
command that has nothing to report prints nothing extra (a user's first hour, issue 13)."""

from __future__ import annotations

import os
import shutil
import sys
import time

import httpx
import pytest

import hcpcs

from conftest import BUNDLED_LABELS, run_cli, run_on_terminal, serving


@pytest.mark.parametrize(
    "args, line",
    [
        (["shwo", "S9329"], "error: no command 'shwo'; did you mean show?"),
        (["serach", "oxygen"], "error: no command 'serach'; did you mean search?"),
        (["show", "S9329", "--colour"], "error: hcpcs show has no option --colour (see hcpcs show --help)"),
        (["search", "oxygen", "--lmit", "3"], "error: hcpcs search has no option --lmit; did you mean --limit?"),
        (["--colour"], "error: hcpcs has no option --colour (see hcpcs --help)"),
        (["search", "walker", "--format", "yaml"], "error: --format: 'yaml' is not one of table, json"),
        (["validate", "c.csv", "--engine", "sparky"], "error: --engine: 'sparky' is not one of polars, spark"),
        (["show"], "error: hcpcs show needs CODE (see hcpcs show --help)"),
        (["search", "oxygen", "--limit"], "error: --limit needs a value"),
        (["search", "oxygen", "--limit", "0"], "error: --limit: 0 is not in the range 1 to 500"),
        (["search", "oxygen", "--limit", "ten"], "error: --limit: 'ten' is not a whole number"),
        (
            ["search", "knee", "brace"],
            "error: hcpcs search: unexpected extra argument(s) brace (quote a query of several words)",
        ),
    ],
)
def test_usage_mistakes_are_one_error_line_and_exit_2(args, line, full_store):
    result = run_cli("--db", str(full_store), *args)
    assert (result.returncode, result.stderr, result.stdout) == (2, line + "\n", "")


def test_version():
    result = run_cli("--version")
    assert (result.returncode, result.stdout) == (0, f"hcpcs {hcpcs.__version__}\n")


@pytest.mark.parametrize(
    "code, line",
    [
        ("99213", "error: 99213 is a CPT (Level I) code; HCPCS Level II codes start with a letter"),
        ("0591t", "error: 0591T is a CPT (Level I) code; HCPCS Level II codes start with a letter"),
        ("59", "error: 59 is a CPT (Level I) modifier; HCPCS Level II modifiers start with a letter"),
    ],
)
def test_cpt_codes_are_named_not_matched_to_lookalikes(code, line, full_store):
    for command in ("show", "history"):
        result = run_cli("--db", str(full_store), command, code)
        assert (result.returncode, result.stderr) == (1, line + "\n")


def test_unknown_code_in_history_names_the_stored_releases_plainly(full_store):
    result = run_cli("--db", str(full_store), "history", "ZZ999")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ZZ999 is not in any stored release; closest: ")


def test_history_says_in_force_or_terminated_in_one_line(full_store):
    active = run_cli("--db", str(full_store), "history", "E0431").stdout.splitlines()[0]
    assert active == f"E0431: added 1993-01-01, not terminated; in {len(BUNDLED_LABELS)} releases, 2019-01 to 2026-07"
    ended = run_cli("--db", str(full_store), "history", "C9034").stdout.splitlines()[0]
    assert (
        ended
        == f"C9034: added 2018-10-01, terminated 2018-12-31; in {len(BUNDLED_LABELS)} releases, 2019-01 to 2026-07"
    )


def test_diff_with_releases_reversed_warns_and_still_answers(full_store):
    reversed_ = run_cli("--db", str(full_store), "diff", "2020-01", "2019-01", "--format", "json")
    assert reversed_.returncode == 0
    assert reversed_.stderr == (
        "warning: 2020-01 is newer than 2019-01: these are the changes going back in time "
        "(the older release goes first: hcpcs diff 2019-01 2020-01)\n"
    )
    assert "A4226" in reversed_.stdout  # added in 2020-01: removed, going back
    assert run_cli("--db", str(full_store), "diff", "2019-01", "2020-01", "--format", "json").stderr == ""


@pytest.fixture(scope="module")
def claims_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("claims") / "claims.csv"
    path.write_text("claim_id,line,code,modifiers,date_of_service\n1,1,E0431,,2020-05-01\n")
    return path


def test_spark_without_pyspark_is_one_line_naming_the_extra(full_store, claims_file):
    """As if the [spark] extra were not installed: the import system finds no pyspark."""
    script = "import sys; sys.modules['pyspark'] = None; from hcpcs.cli import main; main(sys.argv[1:])"
    result = run_cli_script(script, "--db", str(full_store), "validate", str(claims_file), "--engine", "spark")
    assert (result.returncode, result.stderr) == (
        2,
        "error: --engine spark needs PySpark: pip install 'hcpcs[spark]' (Spark also needs Java 17 or later)\n",
    )


def test_spark_without_java_is_one_line_naming_java(full_store, claims_file, tmp_path):
    pytest.importorskip("pyspark")
    no_java = tmp_path / "bin"
    no_java.mkdir()  # a PATH with no java on it
    env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"} | {"PATH": str(no_java)}
    result = run_cli_script(
        "from hcpcs.cli import main; import sys; main(sys.argv[1:])",
        *("--db", str(full_store), "validate", str(claims_file), "--engine", "spark"),
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: --engine spark needs Java 17 or later on PATH or in JAVA_HOME")


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_spark_missing_columns_are_refused_before_spark_starts(full_store, tmp_path, kind):
    """The header is read before Spark starts: one line, none of Spark's, in a moment."""
    pytest.importorskip("pyspark")
    import polars as pl

    lines = tmp_path / f"no_line.{kind}"
    table = pl.DataFrame({"claim_id": ["1"], "code": ["E0431"], "modifiers": [""], "date_of_service": ["2020-05-01"]})
    table.write_csv(lines) if kind == "csv" else table.write_parquet(lines)
    started = time.monotonic()
    result = run_cli("--db", str(full_store), "validate", str(lines), "--engine", "spark",
                     "--out", str(tmp_path / "out.parquet"))  # fmt: skip
    assert time.monotonic() - started < 8  # Spark alone takes ~10 s to start
    assert (result.returncode, result.stderr) == (
        2,
        f"error: no_line.{kind}: missing column(s) line (need claim_id, line, code, modifiers, date_of_service)\n",
    )


def test_spark_output_format_is_refused_before_spark_starts(full_store, claims_file, tmp_path):
    started = time.monotonic()
    result = run_cli("--db", str(full_store), "validate", str(claims_file), "--engine", "spark",
                     "--out", str(tmp_path / "checked"))  # fmt: skip
    assert result.returncode == 2 and time.monotonic() - started < 8  # Spark alone takes ~10 s to start
    assert result.stderr.startswith("error: ") and "cannot tell the format from the extension" in result.stderr
    stdout_parquet = run_cli("--db", str(full_store), "validate", str(claims_file), "--format", "parquet")
    assert stdout_parquet.stderr == "error: --out: parquet needs an --out file\n"


def run_cli_script(script: str, *args: str, env: dict[str, str] | None = None):
    """Run the CLI through a small script (to take an optional package away, for one)."""
    import subprocess

    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          env=env or dict(os.environ), timeout=120)  # fmt: skip


def test_no_building_message_when_the_default_store_exists(full_store, tmp_path):
    """On a terminal the building spinner shows only when there is building to do."""
    data = tmp_path / "data"
    (data / "hcpcs").mkdir(parents=True)
    shutil.copy(full_store, data / "hcpcs" / "hcpcs.sqlite")  # every bundled release: nothing to build
    env = {"XDG_DATA_HOME": str(data), "HCPCS_DB": ""}
    shown = run_on_terminal("releases", "--format", "json", env=env)
    assert '"release": "2026-07"' in shown and "Building" not in shown and "Loading" not in shown
    # The same command where there is no store yet shows the spinner (stopped once it shows).
    empty = {"XDG_DATA_HOME": str(tmp_path / "empty"), "HCPCS_DB": ""}
    assert "Building the default store" in run_on_terminal("releases", env=empty, until="Building")


def test_rest_lookup_of_a_cpt_code_and_an_unknown_category(full_store):
    with serving(full_store) as url:
        cpt = httpx.get(f"{url}/api/v1/codes/99213", timeout=30)
        assert cpt.status_code == 404
        assert "99213 is a CPT (Level I) code; HCPCS Level II codes start with a letter" in cpt.text
        category = httpx.get(f"{url}/api/v1/search", params={"q": "walker", "category": "DME"}, timeout=30)
        assert category.status_code == 400 and "'DME' is not a category; the categories: " in category.text
        betos = httpx.get(f"{url}/api/v1/search", params={"q": "walker", "betos": "ZZZ"}, timeout=30)
        assert betos.status_code == 400 and "'ZZZ' is not a BETOS code" in betos.text
