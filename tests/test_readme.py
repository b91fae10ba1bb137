"""The README's set-up commands stay true: CI runs the test command it shows."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [line for line in setup.splitlines() if line.startswith("pip install")]


def test_readme_has_exactly_two_setup_commands():
    run_product, run_tests = _commands()
    assert "hcpcs serve" in run_product
    assert "pytest" in run_tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _commands()[1] in ci
