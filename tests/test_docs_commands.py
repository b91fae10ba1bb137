"""Every `hcpcs` command the README and docs/*.md show, run as shown, so the pages cannot rot.

What is read, on every page:

- fenced ```sh blocks: each line starting with `hcpcs ` is run with bash in a fresh folder
  (holding a small `claims.csv`) against a copy of a store built from the bundled files
  (`HCPCS_DB`); it must exit 0 without a traceback. `hcpcs serve` is started on a free port,
  must answer HTTP, and must stop cleanly on Ctrl-C (SIGINT). A line that is a synopsis
  (`[--format table|json]`, `jsonl|csv`) is not run: every option it names must be one
  `hcpcs COMMAND --help` lists.
- transcript blocks (a fence without a language, lines `$ hcpcs ...` each followed by what it
  prints): run, and the output must be exactly what the page shows.
- a block right after `<!-- not run: REASON -->` (commands needing the network or files the
  package does not ship) is reported as skipped with that reason.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(
    r"(?:<!--\s*not run:\s*(?P<reason>.*?)\s*-->\s*\n)?^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```", re.S | re.M
)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
CLAIMS = "claim_id,line,code,modifiers,date_of_service\n1,1,E0431,RR,2020-05-01\n1,2,A4253,,2020-05-01\n"


@dataclass(frozen=True)
class Shown:
    """A command a page shows: where, what, and what it prints (transcripts) or why it is not run."""

    page: str
    line: int
    command: str
    output: str | None = None  # the transcript's lines, None for a sh block
    not_run: str | None = None

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.command}"[:100]


def _is_synopsis(command: str) -> bool:
    """`hcpcs search QUERY [--limit N]`, `--format jsonl|csv`: a form to fill in, not a command."""
    bare = _QUOTED.sub("", command.split(" #", 1)[0])
    return "[" in bare or re.search(r"\S\|\S", bare) is not None or "..." in bare


def shown_commands(page: Path) -> list[Shown]:
    """The `hcpcs` commands of a page's sh and transcript blocks, in page order."""
    text = page.read_text(encoding="utf-8")
    name = str(page.relative_to(ROOT))
    found = []
    for block in _BLOCK.finditer(text):
        first = text.count("\n", 0, block.start("body")) + 1
        lines = block["body"].splitlines()
        if block["lang"] in ("sh", "bash", "shell"):
            commands: list[tuple[int, str]] = []
            for number, line in enumerate(lines, start=first):
                if commands and (line[:1].isspace() or commands[-1][1].endswith("\\")):
                    # a line ending in a backslash, or an indented line, goes on the command before
                    commands[-1] = (commands[-1][0], commands[-1][1].rstrip("\\").rstrip() + " " + line.strip())
                else:
                    commands.append((number, line.strip()))
            reason = block["reason"]
            found += [Shown(name, at, line, None, reason) for at, line in commands if line.startswith("hcpcs ")]
        elif block["lang"] in ("", "console"):
            for index, line in enumerate(lines):
                if line.startswith("$ hcpcs "):
                    output = []
                    for after in lines[index + 1 :]:
                        if after.startswith("$ "):
                            break
                        output.append(after)
                    found.append(Shown(name, first + index, line[2:], "\n".join(output), block["reason"]))
    return found


ALL = [shown for page in PAGES for shown in shown_commands(page)]


@pytest.fixture(scope="module")
def docs_env(full_store, tmp_path_factory) -> dict[str, str]:
    """The environment the commands run in: `hcpcs` on PATH (this interpreter), a store copy."""
    from drugs_support import store_with_drugs

    folder = tmp_path_factory.mktemp("docs")
    store = store_with_drugs(folder, full_store)  # a copy (with the drug quarters): writes change no other test
    tools = folder / "bin"
    tools.mkdir()
    shim = tools / "hcpcs"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m hcpcs "$@"\n')
    shim.chmod(0o755)
    return {**os.environ, "HCPCS_DB": str(store), "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "200"}


def _help(command: str, env: dict[str, str]) -> str:
    words = [w for w in _QUOTED.sub("", command).split()[1:] if not w.startswith(("-", "[")) and w.islower()]
    name = words[0] if words else ""
    result = subprocess.run(["hcpcs", *([name] if name else []), "--help"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, f"no command {name!r}: {result.stderr}"
    every_command = subprocess.run(["hcpcs", "--help"], capture_output=True, text=True, env=env)  # --db, --version
    return result.stdout + every_command.stdout


def _serve(shown: Shown, folder: Path, env: dict[str, str]) -> None:
    port = free_port()
    command = re.sub(r"--port[ =]\d+", f"--port {port}", shown.command)
    if "--port" not in command:
        command += f" --port {port}"
    process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=folder, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/releases", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not answer within a minute"
                time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        code = process.wait(timeout=30)
    assert code == 0, process.stderr.read().decode()


@pytest.mark.parametrize("shown", ALL, ids=str)
def test_shown_command_runs_as_the_page_says(shown: Shown, docs_env, tmp_path):
    if shown.not_run:
        pytest.skip(f"marked not run: {shown.not_run}")
    if shown.output is None and _is_synopsis(shown.command):
        listed = _help(shown.command, docs_env)
        unknown = [option for option in _OPTION.findall(shown.command) if option not in listed]
        assert not unknown, f"{shown}: options not in --help: {unknown}"
        return
    (tmp_path / "claims.csv").write_text(CLAIMS)
    if re.search(r"\bserve\b", shown.command):
        _serve(shown, tmp_path, docs_env)
        return
    result = subprocess.run(["bash", "-c", shown.command], cwd=tmp_path, env=docs_env, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    if shown.output is not None:
        printed = (result.stdout + result.stderr).rstrip("\n")
        assert printed == shown.output.rstrip("\n"), f"{shown}: the page shows other output"
    else:
        assert result.returncode == 0, f"{shown}: exit {result.returncode}: {result.stderr[-2000:]}"


def test_the_pages_show_commands_to_run():
    """The reader finds commands on every page that has them, and the run covers them."""
    assert len(ALL) >= 30
    assert {shown.page for shown in ALL} >= {"README.md", "docs/search.md", "docs/code-page.md"}
    assert any(shown.output is not None for shown in ALL)  # transcripts are checked too
