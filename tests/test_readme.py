"""The README's set-up commands stay true: two commands, and CI runs the test command it shows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    """The command lines of the shell blocks of the README's "Set up" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", setup, re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_has_exactly_two_setup_commands():
    run_product, run_tests = _commands()
    assert run_product.startswith("pip install . ") and "hcpcs serve" in run_product
    assert "tools/install-test-deps" in run_tests and "pytest" in run_tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _commands()[1] in ci


def test_the_install_script_both_use_is_there_and_runnable():
    script = ROOT / "tools" / "install-test-deps"
    assert script.stat().st_mode & 0o111  # executable, as the README calls it
    text = script.read_text(encoding="utf-8")
    assert "apt-get update" in text and "chromium" in text and ".[$extras]" in text


@pytest.fixture
def bin_dir():
    """An empty folder another user can read (pytest's tmp_path is private to root)."""
    with tempfile.TemporaryDirectory(prefix="hcpcs-bin-") as folder:
        os.chmod(folder, 0o755)
        yield Path(folder)


def _run_install_script(tools: Path, *, chromium: bool, java: bool, wrk: bool) -> subprocess.CompletedProcess:
    """tools/install-test-deps as a user who is not root, on a PATH holding only what it needs
    and, as asked, chromium, java and wrk; PYTHON=echo shows the pip command instead of running it."""
    if os.geteuid() != 0 and shutil.which("chromium") and shutil.which("java"):
        pytest.skip("needs root to run the script as another user")
    for name in ["bash", "dirname", "id", "echo"] + ["chromium"] * chromium + ["java"] * java + ["wrk"] * wrk:
        (tools / name).symlink_to(shutil.which(name) or shutil.which("true"))
    command = ["env", "-i", f"PATH={tools}", "PYTHON=echo", "bash", str(ROOT / "tools" / "install-test-deps")]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "nobody", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_install_script_as_another_user_says_what_to_run_as_root(bin_dir):
    result = _run_install_script(bin_dir, chromium=False, java=False, wrk=False)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "install-test-deps: not root: cannot install chromium java wrk; run as root: "
        "apt-get update && apt-get install -y chromium default-jre-headless wrk",
        "install-test-deps: stopping: the browser tests need Chromium",
    ]


@pytest.mark.parametrize("java, extras", [(False, "test"), (True, "test,spark")])
def test_install_script_adds_the_spark_extra_only_with_java(bin_dir, java, extras):
    result = _run_install_script(bin_dir, chromium=True, java=java, wrk=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"-m pip install --quiet .[{extras}]\n"
    assert ("going on without Java" in result.stderr) is not java
