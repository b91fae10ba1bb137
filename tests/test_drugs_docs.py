"""docs/drugs.md and the README's drug lines stay true: their commands run on a store holding the
bundled drug quarters, and say what the comments beside them say."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from drugs_support import store_with_drugs

ROOT = Path(__file__).resolve().parent.parent
#: Commands that read files the docs only name as examples.
NEEDS_FILES = ("load", "validate", "export")


@pytest.fixture(scope="module")
def db(tmp_path_factory, full_store):
    return store_with_drugs(tmp_path_factory.mktemp("drugs-docs"), full_store)


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def commands(text: str) -> list[list[str]]:
    lines = [line.split("  #")[0].strip() for line in text.splitlines() if line.startswith("hcpcs ")]
    return [shlex.split(line)[1:] for line in lines]


def test_the_commands_the_drug_page_shows_run(db):
    ran = 0
    for args in commands(blocks(ROOT / "docs" / "drugs.md", "sh")[0]):
        if args[0] in NEEDS_FILES:
            continue
        result = run_cli("--db", str(db), *args)
        assert result.returncode == 0, (args, result.stderr)
        ran += 1
    assert ran >= 6
    price = run_cli("--db", str(db), "price", "J0696", "--quarter", "2026-01").stdout
    assert "$0.462 per 250 MG" in price and "Co-insurance: 20%" in price  # as the comment says


def test_the_python_the_drug_page_shows_runs(db):
    code = blocks(ROOT / "docs" / "drugs.md", "python")[0]
    checks = "\nassert store.price('J0696', quarter='2026-01').payment_limit == 0.462\n"
    result = subprocess.run([sys.executable, "-c", code + checks], capture_output=True, text=True,
                            env={**os.environ, "HCPCS_DB": str(db)}, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_readme_drug_lines(db):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    use = next(block for block in blocks(ROOT / "README.md", "sh") if "hcpcs price" in block)
    drug_lines = [args for args in commands(use) if args[0] in ("price", "ndc")]
    assert len(drug_lines) == 2
    for args in drug_lines:
        assert run_cli("--db", str(db), *args).returncode == 0
    answer = json.loads(
        run_cli("--db", str(db), "ndc", "0143-9857-25", "--on", "2026-02-01", "--format", "json").stdout
    )
    assert answer["mappings"][0]["billing_units_per_package"] == 100
    assert "docs/drugs.md" in readme
